using ClaimsService.Data.Audit;
using ClaimsService.Data.Stores;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Audit;

/// <summary>
/// Seals the audit chain, off the hot path: no adjudication waits for a hash, and instances never contend on a chain head.
/// <para>
/// Only a prefix that no later commit can change is sealed. audit_log.id is an identity (a sequence): values are handed out in
/// order but committed in any order, so while a transaction holding id 100 is still open, id 101 may already be visible, and
/// sealing through 101 would leave 100 to appear later as an entry "inserted" into a sealed prefix. So a seal reaches only the
/// last entry recorded more than <see cref="AuditOptions.SealSafetyMarginSeconds"/> ago: every id below it was handed out
/// before that entry was written, by a transaction that has committed or rolled back by now, because a transaction lasts at
/// most Database:TimeoutSeconds (the resilience pipeline's timeout) and the margin is well beyond twice that plus clock skew.
/// This needs no provider-specific snapshot inspection and holds on SQLite, PostgreSQL and SQL Server alike.
/// </para>
/// Two instances sealing at once compute the same next seal; the primary keys let only one of them store it.
/// </summary>
public sealed partial class AuditSealer(AuditSealStore store, TimeProvider time, IOptions<AuditOptions> options, ILogger<AuditSealer> logger)
{
    /// <summary>Seals everything sealable now; returns the seals taken (none when nothing new is old enough).</summary>
    public async Task<IReadOnlyList<AuditSealRow>> SealAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var through = await store.LastSequenceBeforeAsync(now.AddSeconds(-o.SealSafetyMarginSeconds), ct);
        var taken = new List<AuditSealRow>();
        if (through is null) return taken;
        while (true)
        {
            var latest = await store.LatestAsync(ct);
            var after = latest?.Sequence ?? 0;
            if (after >= through) return taken;
            var entries = await store.EntriesAsync(after, through.Value, o.MaxEntriesPerSeal, ct);
            if (entries.Count == 0) return taken;
            var chain = new List<AuditChainRow>(entries.Count);
            var digest = latest?.Digest ?? AuditDigest.Genesis;
            foreach (var entry in entries)
            {
                var entryDigest = AuditDigest.Of(entry);
                chain.Add(new AuditChainRow { Sequence = entry.Id, EntryDigest = entryDigest });
                digest = AuditDigest.Chain(digest, entryDigest);
            }
            var seal = new AuditSealRow
            {
                Sequence = entries[^1].Id, Entries = (latest?.Entries ?? 0) + entries.Count, Digest = digest,
                PreviousDigest = latest?.Digest, SealedAt = time.UtcNowStored(),
            };
            if (!await store.InsertAsync(seal, chain, ct))
            {
                LogSealedElsewhere(logger, seal.Sequence);
                return taken;
            }
            LogSealed(logger, seal.Sequence, entries.Count, seal.Digest);
            taken.Add(seal);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit log sealed through sequence {Sequence} ({Count} new entries): {Digest}")]
    private static partial void LogSealed(ILogger logger, long sequence, int count, string digest);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Audit seal through {Sequence} was taken by another instance first")]
    private static partial void LogSealedElsewhere(ILogger logger, long sequence);
}

/// <summary>Runs the sealer every <see cref="AuditOptions.SealIntervalSeconds"/> on each instance.</summary>
internal sealed partial class AuditSealingService(AuditSealer sealer, IOptions<AuditOptions> options, ILogger<AuditSealingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.SealIntervalSeconds == 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SealIntervalSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await sealer.SealAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSealFailed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit sealing failed; the next period tries again: {Reason}")]
    private static partial void LogSealFailed(ILogger logger, string reason);
}

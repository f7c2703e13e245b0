using ClaimsService.Api.Telemetry;
using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using ClaimsService.Data.Stores;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Settlements;

/// <summary>
/// The commit pipeline (architecture.md "Data flow of one settlement", <c>Database:Batching</c>): one queue of settlements and
/// reversals, one of previews, one of standalone audit rows (business rejections, replays' message ids). A settlement batch
/// is one transaction: its person-years are created when missing and locked in key order, then each item runs in arrival
/// order against what the items before it wrote (item 2 of a person-year sees item 1; a second copy of a key replays the
/// first or is refused as reused), and the batch commits once. On PostgreSQL that is three round trips whatever the batch's
/// size (the reads, the writes, the commit: <see cref="SettlementBatch.ReadAsync"/>), the items planned in memory between
/// them; elsewhere each item runs its own statements in the batch's transaction. Answers are set only after the commit. A
/// transient error reruns the whole batch (every write is keyed and read-before-write); an item that fails otherwise is
/// answered with its error and the batch goes on without it (planned in memory, it never reached the database; else a
/// savepoint where the provider makes that cheap, else an attempt without it). A batch of previews is one read of all their
/// person-years and one insert of all their audit entries.
/// </summary>
public sealed class CommitPipeline : IHostedService
{
    public const string SettlementsQueue = "settlements";
    public const string AuditQueue = "audit";
    public const string PreviewsQueue = "previews";

    private readonly Db _db;
    private readonly SettlementStore _settlements;
    private readonly AuditStore _audit;
    private readonly CommitQueue<SettlementCommand, AdjudicationOutcome>? _settle;
    private readonly CommitQueue<AuditRow, bool>? _auditRows;
    private readonly CommitQueue<PreviewCommand, AdjudicationOutcome>? _previews;
    private readonly CancellationTokenSource _stopping = new();

    public CommitPipeline(Db db, SettlementStore settlements, AuditStore audit, IOptions<DatabaseOptions> options, ClaimsMetrics metrics)
    {
        _db = db;
        _settlements = settlements;
        _audit = audit;
        var batching = options.Value.Batching;
        if (!batching.Enabled) return;
        // SQLite has one writer: more loops would only queue on its lock.
        var writers = db.Dialect.Provider == DatabaseProvider.Sqlite ? 1 : batching.Writers;
        _settle = new CommitQueue<SettlementCommand, AdjudicationOutcome>(SettlementsQueue, batching, writers, CommitSettlementsAsync, metrics);
        _auditRows = new CommitQueue<AuditRow, bool>(AuditQueue, batching, writers, CommitAuditAsync, metrics);
        _previews = new CommitQueue<PreviewCommand, AdjudicationOutcome>(PreviewsQueue, batching, writers, CommitPreviewsAsync, metrics);
    }

    public bool Enabled => _settle is not null;

    /// <summary>Settlements and reversals queued and not yet taken by a batch.</summary>
    public int SettlementsWaiting => _settle?.Waiting ?? 0;

    /// <summary>Runs the command in the next batch; answers after that batch commits.</summary>
    public Task<AdjudicationOutcome> RunAsync(SettlementCommand command, CancellationToken ct) =>
        (_settle ?? throw new InvalidOperationException("Batching is off.")).EnqueueAsync(command, ct);

    /// <summary>Writes the audit row in the next batch of audit rows; returns after that batch commits.</summary>
    public Task AppendAuditAsync(AuditRow row, CancellationToken ct) =>
        (_auditRows ?? throw new InvalidOperationException("Batching is off.")).EnqueueAsync(row, ct);

    /// <summary>Plans the preview in the next batch of previews; answers after that batch's audit entries are written.</summary>
    public Task<AdjudicationOutcome> PreviewAsync(PreviewCommand command, CancellationToken ct) =>
        (_previews ?? throw new InvalidOperationException("Batching is off.")).EnqueueAsync(command, ct);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _settle?.Start(_stopping.Token);
        _auditRows?.Start(_stopping.Token);
        _previews?.Start(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // What is queued is committed and answered; past the host's shutdown timeout the batches are cancelled.
        await using var _ = cancellationToken.Register(() => _stopping.Cancel());
        await Task.WhenAll(_settle?.StopAsync(cancellationToken) ?? Task.CompletedTask, _auditRows?.StopAsync(cancellationToken) ?? Task.CompletedTask,
            _previews?.StopAsync(cancellationToken) ?? Task.CompletedTask);
    }

    private async Task CommitSettlementsAsync(IReadOnlyList<CommitQueue<SettlementCommand, AdjudicationOutcome>.Pending> batch, CancellationToken stop)
    {
        var outcomes = new AdjudicationOutcome?[batch.Count];
        var failures = new Exception?[batch.Count];
        var active = Enumerable.Range(0, batch.Count).ToList();
        for (var lost = 0; active.Count > 0;)
        {
            try
            {
                await _db.RunAsync(async t =>
                {
                    foreach (var i in active) (outcomes[i], failures[i]) = (null, null);
                    await using var work = await _settlements.BeginBatchAsync(t);
                    try
                    {
                        await RunBatchAsync(batch, active, work, outcomes, failures, t);
                    }
                    catch (Exception e) when (e is not ItemFailedException && !work.IsOpen && !t.IsCancellationRequested)
                    {
                        throw new ConnectionLostException(e);
                    }
                    return true;
                }, stop);
                break;
            }
            catch (ItemFailedException failed)
            {
                failures[failed.Index] = failed.InnerException;
                active.Remove(failed.Index);
            }
            catch (Exception e) when (e is ConnectionLostException or PersonYearNotLockedException && ++lost < MaxConnectionLosses)
            {
                // A reversal's settlement committed by another instance after the batch took its locks: the rerun locks it too.
                // The connection went (a terminated backend) without an error the provider calls transient: nothing of
                // the batch is committed, or it is and the rerun replays it. Run it again on another connection.
            }
            catch (ConnectionLostException e)
            {
                throw new DatabaseUnavailableException("The database keeps closing the batch's connection.", e.InnerException!, DatabaseResilience.BreakDuration);
            }
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } e) batch[i].Answer.TrySetException(e);
            else if (outcomes[i] is { } outcome) batch[i].Answer.TrySetResult(outcome);
        }
    }

    private static async Task RunBatchAsync(IReadOnlyList<CommitQueue<SettlementCommand, AdjudicationOutcome>.Pending> batch, List<int> active,
        SettlementBatch work, AdjudicationOutcome?[] outcomes, Exception?[] failures, CancellationToken t)
    {
        if (active.Count > 1 && work.PlansInMemory)
        {
            await PlanInMemoryAsync(batch, active, work, outcomes, failures, t);
            return;
        }
        // A batch of one (a lone request) runs the per-request path's statements in the batch's transaction: it locks its
        // person-year in its own read, with no order to keep, and costs the database what it costs with batching off.
        if (active.Count > 1)
        {
            var keys = new List<PersonYearKey>(active.Count);
            foreach (var i in active)
                if (await batch[i].Item.PersonYearAsync(work, t) is { } key) keys.Add(key);
            await work.LockAsync(keys, batch[active[0]].Item.Now, t);
        }

        var wrote = false;
        foreach (var i in active)
        {
            await work.BeginItemAsync(t);
            try
            {
                outcomes[i] = await batch[i].Item.RunAsync(work.Work, t);
                wrote |= SettlementCommand.Wrote(outcomes[i]!);
                await work.EndItemAsync(t);
            }
            catch (Exception e) when (IsItemFailure(e, work, t))
            {
                if (!work.IsolatesItems) throw new ItemFailedException(i, e);
                await work.RollbackItemAsync(t);
                failures[i] = e;
            }
        }
        // Nothing written (replays, rejections): nothing to make durable, as on the per-request path.
        if (wrote) await work.CommitAsync(t);
    }

    // Reads in one round trip, items planned in memory in arrival order (each against the state the ones before it left),
    // writes in one more, commit. An item that throws was never written: it is answered with its error, the others go on.
    private static async Task PlanInMemoryAsync(IReadOnlyList<CommitQueue<SettlementCommand, AdjudicationOutcome>.Pending> batch, List<int> active,
        SettlementBatch work, AdjudicationOutcome?[] outcomes, Exception?[] failures, CancellationToken t)
    {
        var planned = await work.ReadAsync(active.Select(i => batch[i].Item.Read).ToList(), batch[active[0]].Item.Now, t);
        foreach (var i in active)
        {
            try
            {
                outcomes[i] = await batch[i].Item.RunAsync(planned, t);
            }
            catch (Exception e) when (e is not PersonYearNotLockedException and not OperationCanceledException)
            {
                failures[i] = e;
            }
        }
        // Nothing written (replays, rejections): nothing to make durable, as on the per-request path.
        if (!planned.Wrote) return;
        await work.WriteAsync(planned, t);
        await work.CommitAsync(t);
    }

    private async Task CommitPreviewsAsync(IReadOnlyList<CommitQueue<PreviewCommand, AdjudicationOutcome>.Pending> batch, CancellationToken stop)
    {
        var reads = await _settlements.ReadManyAsync(batch.Select(p => p.Item.Key).ToList(), stop);
        var outcomes = new AdjudicationOutcome?[batch.Count];
        var entries = new List<AuditRow>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                var (personYear, registry) = reads[batch[i].Item.Key];
                (outcomes[i], var entry) = batch[i].Item.Plan(personYear, registry);
                entries.Add(entry);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                batch[i].Answer.TrySetException(e);
            }
        }
        if (entries.Count > 0) await _audit.AppendManyAsync(entries, stop);
        for (var i = 0; i < batch.Count; i++)
            if (outcomes[i] is { } outcome) batch[i].Answer.TrySetResult(outcome);
    }

    private async Task CommitAuditAsync(IReadOnlyList<CommitQueue<AuditRow, bool>.Pending> batch, CancellationToken stop)
    {
        await _audit.AppendManyAsync(batch.Select(p => p.Item).ToList(), stop);
        foreach (var pending in batch) pending.Answer.TrySetResult(true);
    }

    // The item's own fault (a constraint, a plan that does not balance), as opposed to the database's (rerun the batch):
    // the connection is still open and the error is neither an outage nor a cancellation.
    private static bool IsItemFailure(Exception e, SettlementBatch work, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is not OperationCanceledException && work.IsOpen && !work.IsOutage(e);

    private const int MaxConnectionLosses = 5;

    private sealed class ConnectionLostException(Exception inner) : Exception("The batch's connection was closed.", inner);

    /// <summary>An item failed on a provider where that aborts the transaction: the batch runs again without it (never retried by Polly).</summary>
    private sealed class ItemFailedException(int index, Exception inner) : Exception("A batch item failed.", inner)
    {
        public int Index { get; } = index;
        public new Exception InnerException => base.InnerException!;
    }
}

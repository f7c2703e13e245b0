using System.Diagnostics;
using System.Text.Json;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Parameters;
using ClaimsService.Api.Telemetry;
using ClaimsService.Data;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Readjudication;

/// <summary>The outcome of a run request, turned into HTTP in one place (<see cref="ReadjudicationApi"/>).</summary>
public abstract record ReadjudicationOutcome
{
    /// <summary>A dry run (200), a committed run (201) or a replay of a completed one (200 with the replay header).</summary>
    public sealed record Done(ReadjudicationResponse Response, bool Replayed) : ReadjudicationOutcome;
    public sealed record Rejected(int Status, string Code, params object?[] Args) : ReadjudicationOutcome;
}

/// <summary>A seam for tests.</summary>
public sealed class ReadjudicationHooks
{
    /// <summary>Called for each person-year of a chunk once the chunk's transaction committed, in key order.</summary>
    public Func<PersonYearKey, CancellationToken, Task>? AfterPersonYear { get; set; }

    /// <summary>Called inside a chunk's transaction once everything is written, just before it commits.</summary>
    public Func<IReadOnlyList<PersonYearKey>, CancellationToken, Task>? BeforeChunkCommits { get; set; }
}

/// <summary>
/// Re-adjudication runs (rules.md "Changes after the fact"; api.md "Re-adjudication runs"): the person-years of a region-year
/// (or one person's) are read a page at a time, never the region in memory; each page is a chunk re-priced in one
/// transaction: its ledger rows locked, every person-year read in one round trip and re-priced by the domain with what is
/// known now, everything appended in a few multi-row writes together with the record that this run did each person-year,
/// so a run sent again with the same runId completes the rest and does nothing twice.
/// </summary>
public sealed class ReadjudicationService(ParameterSetCache parameters, ReadjudicationStore runs, Db db, TimeProvider time, ClaimsMetrics metrics,
    ReadjudicationHooks hooks, IOptions<ReadjudicationOptions> options)
{
    public async Task<ReadjudicationOutcome> RunAsync(ValidReadjudication request, Caller caller, CancellationToken ct)
    {
        // What is known now: sets published through any instance up to this moment.
        await parameters.RefreshAsync(ct);
        if (request.DryRun) return new ReadjudicationOutcome.Done(await DryRunAsync(request, ct), Replayed: false);

        var now = time.UtcNowStored();
        var hash = request.Hash();
        var run = new ReadjudicationRun(request.RunId, hash, request.RegionCode, request.PolicyYear, request.InsuredId, request.Reason,
            ReadjudicationStore.Running, now, null);
        if (!await runs.StartAsync(run, caller.AuditName, ct))
        {
            var existing = await runs.FindAsync(request.RunId, ct) ?? throw new InvalidOperationException("A run recorded and then gone.");
            if (existing.RequestHash != hash)
                return new ReadjudicationOutcome.Rejected(422, ProblemCodes.IdempotencyKeyReused);
            if (existing.Status == ReadjudicationStore.Completed)
                return new ReadjudicationOutcome.Done(ReadjudicationResponse.From(existing, await runs.TotalsAsync(request.RunId, ct)), Replayed: true);
        }

        var context = new AuditContext(caller.AuditName, JsonSerializer.Serialize(new
        {
            request.RunId, request.RegionCode, request.PolicyYear, insuredId = request.InsuredId is null ? null : ResidentId.Mask(request.InsuredId), request.Reason,
        }, SettlementStore.Json), Activity.Current?.TraceId.ToString());
        var inFlight = new Queue<(IReadOnlyList<PersonYearKey> Keys, Task Done)>();
        async Task CompleteOldestAsync()
        {
            var (keys, done) = inFlight.Dequeue();
            await done;
            if (hooks.AfterPersonYear is { } after)
                foreach (var key in keys) await after(key, ct);
        }
        try
        {
            await foreach (var chunk in ChunksAsync(request, ct))
            {
                inFlight.Enqueue((chunk, ReadjudicateAsync(chunk, request.RunId, context, ct)));
                if (inFlight.Count >= options.Value.ChunksInFlight) await CompleteOldestAsync();
            }
            while (inFlight.Count > 0) await CompleteOldestAsync();
        }
        finally
        {
            // A run that fails answers once the chunks still in flight ended (committed or rolled back), never before.
            await Task.WhenAll(inFlight.Select(f => f.Done)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await runs.CompleteAsync(request.RunId, time.UtcNowStored(), ct);
        return new ReadjudicationOutcome.Done(ReadjudicationResponse.From(request, false, ReadjudicationStore.Completed,
            await runs.TotalsAsync(request.RunId, ct)), Replayed: false);
    }

    public async Task<ReadjudicationResponse?> FindAsync(string runId, CancellationToken ct) =>
        await runs.FindAsync(runId, ct) is { } run ? ReadjudicationResponse.From(run, await runs.TotalsAsync(runId, ct)) : null;

    /// <summary>
    /// A chunk in one transaction, each of its person-years under its ledger lock (all locked first, in key order); those this
    /// run already did are skipped. A transient failure runs the chunk again: it reads again under the lock.
    /// </summary>
    private Task ReadjudicateAsync(IReadOnlyList<PersonYearKey> keys, string runId, AuditContext context, CancellationToken ct) =>
        db.RunAsync(async t =>
        {
            var now = time.UtcNowStored();
            await using var chunk = await runs.BeginChunkAsync(t);
            var plans = (await chunk.ReadAsync(keys, runId, t))
                .Where(read => !read.AlreadyDone)
                .Select(read => new ChunkPlan(read.PersonYear, Planner.Readjudicate(read.PersonYear.State, Command(read.PersonYear, read.Registry))))
                .ToList();
            var differences = await chunk.AppendAsync(plans, runId, context, now, t);
            if (hooks.BeforeChunkCommits is { } before) await before(keys, t);
            await chunk.CommitAsync(t);
            foreach (var difference in differences) metrics.Adjusted(keys[0].RegionCode, "run", difference);
            return differences.Count;
        }, ct);

    /// <summary>Plans every person-year against unlocked reads, a chunk at a time, and writes nothing; the totals are counted as it goes.</summary>
    private async Task<ReadjudicationResponse> DryRunAsync(ValidReadjudication request, CancellationToken ct)
    {
        long examined = 0, changed = 0, topUps = 0, topUpFen = 0, recoveries = 0, recoveryFen = 0;
        await foreach (var chunk in ChunksAsync(request, ct))
            foreach (var read in await runs.ReadChunkAsync(chunk, ct))
            {
                var plan = Planner.Readjudicate(read.PersonYear.State, Command(read.PersonYear, read.Registry));
                examined++;
                if (plan.Entries.Count > 0) changed++;
                foreach (var entry in plan.Entries)
                {
                    var fen = Money.ToFen(entry.Payout);
                    if (fen > 0) (topUps, topUpFen) = (topUps + 1, topUpFen + fen);
                    else (recoveries, recoveryFen) = (recoveries + 1, recoveryFen + fen);
                }
            }
        return ReadjudicationResponse.From(request, true, ReadjudicationStore.Completed,
            new ReadjudicationTotals(examined, changed, topUps, topUpFen, recoveries, recoveryFen));
    }

    /// <summary>
    /// The person-years in scope, a chunk (one page, one round trip) at a time, in key order. Those this run already did are
    /// skipped under their lock, when the chunk reads them.
    /// </summary>
    private async IAsyncEnumerable<IReadOnlyList<PersonYearKey>> ChunksAsync(ValidReadjudication request,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (request.InsuredId is { } insured)
        {
            if (await runs.HasLedgerAsync(request.RegionCode, request.PolicyYear, insured, ct))
                yield return [new PersonYearKey(request.RegionCode, insured, request.PolicyYear)];
            yield break;
        }
        var size = options.Value.ChunkSize;
        var after = "";
        while (true)
        {
            var page = await runs.PageAsync(request.RegionCode, request.PolicyYear, after, size, ct);
            if (page.Count > 0) yield return page.Select(person => new PersonYearKey(request.RegionCode, person, request.PolicyYear)).ToList();
            if (page.Count < size) yield break;
            after = page[^1];
        }
    }

    /// <summary>
    /// What is known now about each active stay: the set in force on its date as published now (policyYearBy respected; the
    /// stay's own set if none is), and the categories the registry now gives the person on its discharge date.
    /// </summary>
    private AdjudicationCommand.Readjudicate Command(PersonYear personYear, IReadOnlyList<CategoryEntry> registry) =>
        new(personYear.State.Stays.ToDictionary(s => s.AdjudicationId, s =>
        {
            var (admission, discharge) = personYear.DatesOf(s.AdjudicationId);
            var set = Resolution.Place(d => parameters.InForce(personYear.Key.RegionCode, d), admission, discharge)?.Set ?? s.Set;
            return new Repricing(set, Resolution.CategoriesOn(registry, discharge));
        }));
}

using System.Diagnostics;
using System.Text.Json;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Parameters;
using ClaimsService.Api.Telemetry;
using ClaimsService.Data;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Readjudication;

/// <summary>The outcome of a run request, turned into HTTP in one place (<see cref="ReadjudicationApi"/>).</summary>
public abstract record ReadjudicationOutcome
{
    /// <summary>A dry run (200), a committed run (201) or a replay of a completed one (200 with the replay header).</summary>
    public sealed record Done(ReadjudicationResponse Response, bool Replayed) : ReadjudicationOutcome;
    public sealed record Rejected(int Status, string Code, params object?[] Args) : ReadjudicationOutcome;
}

/// <summary>A seam for tests: called after each person-year a committed run has done (its transaction committed).</summary>
public sealed class ReadjudicationHooks
{
    public Func<PersonYearKey, CancellationToken, Task>? AfterPersonYear { get; set; }
}

/// <summary>
/// Re-adjudication runs (rules.md "Changes after the fact"; api.md "Re-adjudication runs"): the person-years of a region-year
/// (or one person's) are read page by page, never the region in memory; each is re-priced by the domain with what is known
/// now and, in a committed run, written in one transaction under its ledger lock together with the record that this run
/// did it, so a run sent again with the same runId completes the rest and does nothing twice.
/// </summary>
public sealed class ReadjudicationService(ParameterSetCache parameters, SettlementStore settlements, ReadjudicationStore runs, Db db,
    TimeProvider time, ClaimsMetrics metrics, ReadjudicationHooks hooks)
{
    /// <summary>Person-years read per page of the region-year.</summary>
    public const int PageSize = 500;

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
        await foreach (var key in PersonYearsAsync(request, request.RunId, ct))
        {
            await ReadjudicateAsync(key, request.RunId, context, ct);
            if (hooks.AfterPersonYear is { } after) await after(key, ct);
        }
        await runs.CompleteAsync(request.RunId, time.UtcNowStored(), ct);
        return new ReadjudicationOutcome.Done(ReadjudicationResponse.From(request, false, ReadjudicationStore.Completed,
            await runs.TotalsAsync(request.RunId, ct)), Replayed: false);
    }

    public async Task<ReadjudicationResponse?> FindAsync(string runId, CancellationToken ct) =>
        await runs.FindAsync(runId, ct) is { } run ? ReadjudicationResponse.From(run, await runs.TotalsAsync(runId, ct)) : null;

    /// <summary>One person-year in one transaction under its ledger lock; skipped when this run already did it.</summary>
    private Task ReadjudicateAsync(PersonYearKey key, string runId, AuditContext context, CancellationToken ct) =>
        db.RunAsync(async t =>
        {
            var now = time.UtcNowStored();
            await using var work = await settlements.BeginAsync(t);
            var read = await work.LockForRunAsync(key, runId, now, t);
            if (read.AlreadyDone) return 0;
            var plan = Planner.Readjudicate(read.PersonYear.State, Command(read.PersonYear, read.Registry));
            var rows = await work.AppendRunAsync(read.PersonYear, plan, runId, context, now, t);
            await work.CommitAsync(t);
            foreach (var row in rows) metrics.Adjusted(key.RegionCode, "run", row.Payout);
            return rows.Count;
        }, ct);

    /// <summary>Plans every person-year against an unlocked read and writes nothing; the totals are counted as it goes.</summary>
    private async Task<ReadjudicationResponse> DryRunAsync(ValidReadjudication request, CancellationToken ct)
    {
        long examined = 0, changed = 0, topUps = 0, topUpFen = 0, recoveries = 0, recoveryFen = 0;
        await foreach (var key in PersonYearsAsync(request, runId: "", ct))
        {
            var (personYear, registry) = await settlements.ReadAsync(key, ct);
            var plan = Planner.Readjudicate(personYear.State, Command(personYear, registry));
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

    /// <summary>The person-years in scope this run has not done yet, page by page (a dry run passes an id no run has).</summary>
    private async IAsyncEnumerable<PersonYearKey> PersonYearsAsync(ValidReadjudication request, string runId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (request.InsuredId is { } insured)
        {
            if (await runs.HasLedgerAsync(request.RegionCode, request.PolicyYear, insured, ct))
                yield return new PersonYearKey(request.RegionCode, insured, request.PolicyYear);
            yield break;
        }
        var after = "";
        while (true)
        {
            var page = await runs.PendingAsync(runId, request.RegionCode, request.PolicyYear, after, PageSize, ct);
            foreach (var person in page) yield return new PersonYearKey(request.RegionCode, person, request.PolicyYear);
            if (page.Count < PageSize) yield break;
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

using ClaimsService.Domain;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>What a run reads under the ledger lock: whether this run already did the person-year, the person-year and the registry.</summary>
public sealed record RunReads(bool AlreadyDone, PersonYear PersonYear, IReadOnlyList<CategoryEntry> Registry);

public sealed partial class PersonYearUnitOfWork
{
    private const string DoneSql = """
        SELECT COUNT(*) FROM readjudication_person_years
        WHERE run_id = @RunId AND region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
        """;

    /// <summary>Locks the person-year's ledger row (settlements and reversals of it wait) and reads it for a run.</summary>
    public async Task<RunReads> LockForRunAsync(PersonYearKey key, string runId, DateTime now, CancellationToken ct)
    {
        RunReads reads;
        await using (var grid = await _connection.QueryMultipleAsync(new CommandDefinition(_lockedReads,
            SettlementStore.Args(key, now, Keys.RunAdjustment(runId, "")), _transaction, cancellationToken: ct)))
        {
            var ledger = await grid.ReadSingleAsync<LedgerRow>();
            await grid.ReadSingleOrDefaultAsync<AdjudicationRow>();
            var registry = await RegistryStore.ReadForPersonAsync(grid);
            reads = new RunReads(false, await SettlementStore.ReadPersonYearAsync(key, ledger, grid), registry);
        }
        var done = await _connection.ExecuteScalarAsync<long>(new CommandDefinition(DoneSql,
            new { RunId = runId, key.RegionCode, key.InsuredId, key.PolicyYear }, _transaction, cancellationToken: ct));
        return reads with { AlreadyDone = done > 0 };
    }

    private const string RepricedSql = "UPDATE adjudications SET repriced_parameter_set_id = @SetId, repriced_candidates = @Candidates WHERE id = @Id";
    private const string ProgressSql = """
        INSERT INTO readjudication_person_years (run_id, region_code, insured_id, policy_year, changed, done_at)
        VALUES (@RunId, @RegionCode, @InsuredId, @PolicyYear, @Changed, @Now)
        """;
    private const string DetailSql = """
        INSERT INTO readjudication_adjustments (adjudication_id, run_id, settlement_adjudication_id, payout_before_fen, payout_after_fen,
            category_before, parameter_set_id_before, parameter_set_version_before)
        VALUES (@AdjudicationId, @RunId, @SettlementAdjudicationId, @PayoutBeforeFen, @PayoutAfterFen, @CategoryBefore, @SetIdBefore, @SetVersionBefore)
        """;

    /// <summary>
    /// Appends a run's plan (its adjustments, one audit entry each, the ledger after), records the set and candidates each stay
    /// was re-priced with, what each adjusted stay had before, and that this run has done the person-year: all in this
    /// transaction, so a run sent again skips it and none is done twice.
    /// </summary>
    public async Task<IReadOnlyList<Adjudication>> AppendRunAsync(PersonYear personYear, AdjudicationPlan plan, string runId, AuditContext audit,
        DateTime now, CancellationToken ct)
    {
        var appended = plan.Entries.Count > 0 ? await AppendAsync(personYear, plan, null, runId, audit, now, ct) : [];
        var before = personYear.State.Stays.ToDictionary(s => s.AdjudicationId);
        foreach (var (row, entry) in appended.Zip(plan.Entries))
        {
            var was = before[entry.StayId];
            await _connection.ExecuteAsync(new CommandDefinition(DetailSql, new
            {
                AdjudicationId = row.Id, RunId = runId, SettlementAdjudicationId = entry.StayId,
                PayoutBeforeFen = Money.ToFen(was.CurrentPayout), PayoutAfterFen = Money.ToFen(was.CurrentPayout + entry.Payout),
                CategoryBefore = was.Category.Code, SetIdBefore = was.Set.Id, SetVersionBefore = was.Set.Version,
            }, _transaction, cancellationToken: ct));
        }
        foreach (var stay in plan.StaysAfter)
        {
            var was = before[stay.AdjudicationId];
            var candidates = PersonCategories.Join(stay.Candidates);
            if (was.Set.Id == stay.Set.Id && PersonCategories.Join(was.Candidates) == candidates) continue;
            await _connection.ExecuteAsync(new CommandDefinition(RepricedSql, new { SetId = stay.Set.Id, Candidates = candidates, Id = stay.AdjudicationId },
                _transaction, cancellationToken: ct));
        }
        await _connection.ExecuteAsync(new CommandDefinition(ProgressSql, new
        {
            RunId = runId, personYear.Key.RegionCode, personYear.Key.InsuredId, personYear.Key.PolicyYear, Changed = appended.Count > 0, Now = now,
        }, _transaction, cancellationToken: ct));
        return appended;
    }
}

using System.Data.Common;
using ClaimsService.Data.Dialects;
using ClaimsService.Domain;
using Dapper;
using static ClaimsService.Data.Dialects.Bulk;

namespace ClaimsService.Data.Stores;

/// <summary>What a run reads of one person-year of a chunk: whether this run already did it, the person-year and the registry.</summary>
public sealed record ChunkRead(bool AlreadyDone, PersonYear PersonYear, IReadOnlyList<CategoryEntry> Registry);

/// <summary>A planned person-year of a chunk, to append.</summary>
public sealed record ChunkPlan(PersonYear PersonYear, AdjudicationPlan Plan);

/// <summary>
/// Several person-years of one region-year re-priced in one transaction (api.md "Re-adjudication runs"): their ledger rows
/// locked in key order by one statement, then everything a run reads of them in the same round trip; the caller plans each
/// with the domain; every row the chunk appends goes out in a few multi-row writes (PostgreSQL: binary COPY, one UPDATE over
/// arrays), with the record that this run did each person-year, so a run sent again skips them. Each person-year is still in
/// one transaction under its ledger lock: the chunk's. Disposing without committing rolls the whole chunk back.
/// </summary>
public sealed class ReadjudicationChunk : IAsyncDisposable
{
    private readonly SqlDialect _dialect;
    private readonly string _reads;
    private readonly DbConnection _connection;
    private readonly DbTransaction? _transaction;

    internal ReadjudicationChunk(SqlDialect dialect, string reads, DbConnection connection, DbTransaction? transaction)
    {
        _dialect = dialect;
        _reads = reads;
        _connection = connection;
        _transaction = transaction;
    }

    // The keys of a chunk are one region-year's, in key order: every read is a range of insured persons. Rows of persons in
    // the range but not in the chunk (done by this run already) are read and left alone.
    internal const string RegistryRangeSql = """
        SELECT insured_id AS InsuredId, category AS Category, valid_from AS ValidFrom, valid_to AS ValidTo
        FROM person_categories
        WHERE insured_id >= @First AND insured_id <= @Last AND region_code IN (@RegionCode, @ProvinceCode) AND status = 'active'
        ORDER BY insured_id, id
        """;

    internal const string AdjudicationsRangeSql = $"""
        SELECT {AdjudicationRow.Columns} FROM adjudications
        WHERE region_code = @RegionCode AND policy_year = @PolicyYear AND insured_id >= @First AND insured_id <= @Last
        ORDER BY insured_id, sequence, id
        """;

    // Each set once a chunk (a person-year's own read deserialised them once a person-year).
    internal const string SetsRangeSql = """
        SELECT definition FROM parameter_sets
        WHERE id IN (SELECT parameter_set_id FROM adjudications
                     WHERE region_code = @RegionCode AND policy_year = @PolicyYear AND insured_id >= @First AND insured_id <= @Last
                     UNION SELECT repriced_parameter_set_id FROM adjudications
                     WHERE region_code = @RegionCode AND policy_year = @PolicyYear AND insured_id >= @First AND insured_id <= @Last
                       AND repriced_parameter_set_id IS NOT NULL)
        """;

    internal const string DoneRangeSql = """
        SELECT insured_id FROM readjudication_person_years
        WHERE run_id = @RunId AND region_code = @RegionCode AND policy_year = @PolicyYear AND insured_id >= @First AND insured_id <= @Last
        """;

    /// <summary>The reads of a chunk after its ledger statement (locking, or a plain read for a dry run).</summary>
    internal static string Reads(string ledgers) => $"{ledgers};\n{RegistryRangeSql};\n{AdjudicationsRangeSql};\n{SetsRangeSql};\n{DoneRangeSql};";

    /// <summary>
    /// Locks the ledger rows of the chunk (a dry run: reads them) and reads, in one round trip, every person-year of it with
    /// its registry entries and whether this run already did it. <paramref name="keys"/>: one region-year, in key order.
    /// </summary>
    public async Task<IReadOnlyList<ChunkRead>> ReadAsync(IReadOnlyList<PersonYearKey> keys, string runId, CancellationToken ct)
    {
        if (keys.Count == 0) return [];
        var first = keys[0];
        await using var grid = await _connection.QueryMultipleAsync(new CommandDefinition(_reads, new
        {
            first.RegionCode, first.PolicyYear, first.ProvinceCode, First = first.InsuredId, Last = keys[^1].InsuredId, RunId = runId,
        }, _transaction, cancellationToken: ct));
        var ledgers = (await grid.ReadAsync<KeyedLedgerRow>()).ToDictionary(l => l.InsuredId);
        var registry = (await grid.ReadAsync<RangeCategoryRow>()).ToLookup(r => r.InsuredId,
            r => new CategoryEntry(PersonCategories.Parse(r.Category), r.ValidFrom, r.ValidTo));
        var rows = (await grid.ReadAsync<AdjudicationRow>()).ToLookup(r => r.InsuredId);
        var sets = (await grid.ReadAsync<string>()).Select(ParameterSetJson.Deserialize).ToList();
        var done = (await grid.ReadAsync<string>()).ToHashSet();
        var reads = new List<ChunkRead>(keys.Count);
        foreach (var key in keys)
        {
            // A key is in a chunk because its ledger row exists; a ledger row is never deleted.
            if (!ledgers.TryGetValue(key.InsuredId, out var ledger)) throw new InvalidOperationException($"No ledger for {key}.");
            var own = rows[key.InsuredId].ToList();
            foreach (var row in own) row.AdjudicatedAt = DateTime.SpecifyKind(row.AdjudicatedAt, DateTimeKind.Utc);
            var personYear = PersonYear.From(key, ledger, own, sets);
            reads.Add(new ChunkRead(done.Contains(key.InsuredId), personYear, registry[key.InsuredId].ToList()));
        }
        return reads;
    }

    /// <summary>
    /// Appends the chunk's plans (their adjustments, one audit entry each, the ledgers after), records the set and candidates
    /// each stay was re-priced with (on its adjustment, or on the stay's row when it has none) and what each adjusted stay had before, and that this run did every person-year of
    /// <paramref name="plans"/>: all in this transaction. Returns the differences the adjustments pay, in order.
    /// </summary>
    public async Task<IReadOnlyList<decimal>> AppendAsync(IReadOnlyList<ChunkPlan> plans, string runId, AuditContext audit, DateTime now,
        CancellationToken ct)
    {
        var rows = new List<AdjudicationRow>();
        var details = new List<AdjustmentDetail>();
        var repriced = new List<Repriced>();
        var ledgers = new List<LedgerAfter>();
        var progress = new List<Progress>(plans.Count);
        foreach (var (personYear, plan) in plans)
        {
            var appended = personYear.RowsOf(plan, null, now, runId);
            var before = personYear.State.Stays.ToDictionary(s => s.AdjudicationId);
            foreach (var (row, entry) in appended.Zip(plan.Entries))
            {
                var was = before[entry.StayId];
                details.Add(new AdjustmentDetail(row.Id, runId, entry.StayId, Money.ToFen(was.CurrentPayout), Money.ToFen(was.CurrentPayout + entry.Payout),
                    was.Category.Code, was.Set.Id, was.Set.Version));
            }
            // The set and candidates of each re-priced stay: an adjustment records its own, so the stay's row is written only
            // when the run changed them without changing the payout, or when it holds an earlier run's (which would stand).
            var adjusted = plan.Entries.Select(e => e.StayId).ToHashSet();
            foreach (var stay in plan.StaysAfter)
            {
                var was = before[stay.AdjudicationId];
                var candidates = PersonCategories.Join(stay.Candidates);
                var write = adjusted.Contains(stay.AdjudicationId)
                    ? personYear.Row(stay.AdjudicationId).RepricedParameterSetId is not null
                    : was.Set.Id != stay.Set.Id || PersonCategories.Join(was.Candidates) != candidates;
                if (write) repriced.Add(new Repriced(stay.AdjudicationId, stay.Set.Id, candidates));
            }
            if (appended.Count > 0)
                ledgers.Add(new LedgerAfter(personYear.Key, Money.ToFen(plan.LedgerAfter.EligibleToDate), Money.ToFen(plan.LedgerAfter.PaidToDate),
                    personYear.Version + appended.Count, now));
            progress.Add(new Progress(runId, personYear.Key, appended.Count > 0, now));
            rows.AddRange(appended);
        }

        await _dialect.InsertRowsAsync(_connection, _transaction!, StoredTables.Adjudications, rows, ct);
        await _dialect.InsertRowsAsync(_connection, _transaction!, StoredTables.AuditLog, rows.Select(r => PersonYearUnitOfWork.AuditOf(r, audit)).ToList(), ct);
        await _dialect.InsertRowsAsync(_connection, _transaction!, DetailsTable, details, ct);
        await _dialect.UpdateRowsAsync(_connection, _transaction!, RepricedTable, keys: 1, repriced, ct);
        await _dialect.UpdateRowsAsync(_connection, _transaction!, LedgersTable, keys: 3, ledgers, ct);
        await _dialect.InsertRowsAsync(_connection, _transaction!, ProgressTable, progress, ct);
        return rows.Select(r => Money.FromFen(r.PayoutFen)).ToList();
    }

    public Task CommitAsync(CancellationToken ct) => _transaction!.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private sealed record AdjustmentDetail(string AdjudicationId, string RunId, string SettlementAdjudicationId, long PayoutBeforeFen, long PayoutAfterFen,
        string CategoryBefore, string SetIdBefore, int SetVersionBefore);
    private sealed record Repriced(string Id, string SetId, string Candidates);
    private sealed record LedgerAfter(PersonYearKey Key, long EligibleToDateFen, long PaidToDateFen, int Version, DateTime Now);
    private sealed record Progress(string RunId, PersonYearKey Key, bool Changed, DateTime Now);

    private sealed class RangeCategoryRow
    {
        public string InsuredId { get; set; } = "";
        public string Category { get; set; } = "";
        public DateOnly ValidFrom { get; set; }
        public DateOnly? ValidTo { get; set; }
    }

    private static readonly BulkTable<AdjustmentDetail> DetailsTable = new("readjudication_adjustments",
        Text<AdjustmentDetail>("adjudication_id", d => d.AdjudicationId), Text<AdjustmentDetail>("run_id", d => d.RunId),
        Text<AdjustmentDetail>("settlement_adjudication_id", d => d.SettlementAdjudicationId),
        BigInt<AdjustmentDetail>("payout_before_fen", d => d.PayoutBeforeFen), BigInt<AdjustmentDetail>("payout_after_fen", d => d.PayoutAfterFen),
        Text<AdjustmentDetail>("category_before", d => d.CategoryBefore), Text<AdjustmentDetail>("parameter_set_id_before", d => d.SetIdBefore),
        Int<AdjustmentDetail>("parameter_set_version_before", d => d.SetVersionBefore));

    // The set and candidates a run re-priced each stay with, on the stay's settlement (keyed by its id).
    private static readonly BulkTable<Repriced> RepricedTable = new("adjudications",
        Text<Repriced>("id", r => r.Id), Text<Repriced>("repriced_parameter_set_id", r => r.SetId), Text<Repriced>("repriced_candidates", r => r.Candidates));

    private static readonly BulkTable<LedgerAfter> LedgersTable = new("ledgers",
        Text<LedgerAfter>("region_code", l => l.Key.RegionCode), Text<LedgerAfter>("insured_id", l => l.Key.InsuredId),
        Int<LedgerAfter>("policy_year", l => l.Key.PolicyYear), BigInt<LedgerAfter>("eligible_to_date_fen", l => l.EligibleToDateFen),
        BigInt<LedgerAfter>("paid_to_date_fen", l => l.PaidToDateFen), Int<LedgerAfter>("version", l => l.Version), Instant<LedgerAfter>("updated_at", l => l.Now));

    private static readonly BulkTable<Progress> ProgressTable = new("readjudication_person_years",
        Text<Progress>("run_id", p => p.RunId), Text<Progress>("region_code", p => p.Key.RegionCode), Text<Progress>("insured_id", p => p.Key.InsuredId),
        Int<Progress>("policy_year", p => p.Key.PolicyYear), Bool<Progress>("changed", p => p.Changed), Instant<Progress>("done_at", p => p.Now));
}

using ClaimsService.Data.Dialects;
using ClaimsService.Domain;
using Dapper;
using Npgsql;

namespace ClaimsService.Data.Stores;

/// <summary>
/// A settlement batch on PostgreSQL in a constant number of round trips, whatever its size (issue 12): one <see cref="NpgsqlBatch"/>
/// creates the missing ledger rows, locks them all in key order and reads, under those locks, every idempotency key, registry
/// entry, adjudication and parameter set the batch's items need; the items are planned in memory (<see cref="PlannedBatch"/>);
/// one more <see cref="NpgsqlBatch"/> inserts every row and audit entry and moves every ledger (<c>unnest</c> of arrays, so each
/// statement has one text whatever the batch's size, and is prepared once per connection); then the commit.
/// Statements here are named …Statement, not …Sql: they are PostgreSQL's, which the T-SQL check of shared statements must not collect.
/// </summary>
public sealed partial class SettlementBatch
{
    /// <summary>True on PostgreSQL: the batch is read, planned in memory and written in three round trips (else item by item).</summary>
    public bool PlansInMemory => _connection is NpgsqlConnection;

    // Array parameters make PostgreSQL plan these statements anew on every execution (a custom plan looks cheaper than the
    // generic one, by a hair), which cost more than running them (pg_stat_statements: plans = calls, ~1 ms a batch). So
    // each connection plans them once (generic plans), kept until the tables' statistics change: hence, for this
    // transaction only (SET LOCAL, no session state outlives it), no sequential scans (PostgreSqlDialect.NoSequentialScans),
    // and every read below is driven by the batch's keys (a LATERAL subquery per key, OFFSET 0 so that it is not flattened
    // into a join the planner could turn into a scan of the whole table or index): an index lookup per key whatever the
    // statistics said when it was planned.
    private static readonly string[] PlanningStatements = ["SET LOCAL plan_cache_mode = force_generic_plan", PostgreSqlDialect.NoSequentialScans];

    // The batch's person-years: the settlements' own, and those of the settlements its reversals take out ($4; a settlement's
    // person-year never changes, and a void's tombstone has none). Every read statement starts with it.
    private const string KeysStatement = """
        WITH keys AS (
            SELECT k.region_code, k.insured_id, k.policy_year FROM unnest($1::text[], $2::text[], $3::int[]) AS k(region_code, insured_id, policy_year)
            UNION
            SELECT a.region_code, a.insured_id, a.policy_year FROM adjudications a WHERE a.idempotency_key = ANY($4::text[]) AND a.kind <> 'void')
        """;

    private const string PersonYearOfKey = "a.region_code = k.region_code AND a.insured_id = k.insured_id AND a.policy_year = k.policy_year";

    private const string CreateLedgersStatement = $"""
        {KeysStatement}
        INSERT INTO ledgers (region_code, insured_id, policy_year, eligible_to_date_fen, paid_to_date_fen, version, updated_at)
        SELECT region_code, insured_id, policy_year, 0, 0, 0, $5 FROM keys ORDER BY region_code, insured_id, policy_year
        ON CONFLICT DO NOTHING
        """;

    // The keys in order, each row locked by its own lookup as the nested loop reaches it: in key order, as every batch of
    // every instance locks them (no cycle).
    private const string LockLedgersStatement = $"""
        {KeysStatement}
        SELECT l.* FROM (SELECT region_code, insured_id, policy_year FROM keys ORDER BY region_code, insured_id, policy_year) k
        CROSS JOIN LATERAL (
            SELECT a.region_code, a.insured_id, a.policy_year, a.eligible_to_date_fen, a.paid_to_date_fen, a.version
            FROM ledgers a WHERE {PersonYearOfKey} FOR UPDATE) l
        ORDER BY l.region_code, l.insured_id, l.policy_year
        """;

    private const string ReadLedgersStatement = $"""
        {KeysStatement}
        SELECT l.* FROM keys k CROSS JOIN LATERAL (
            SELECT a.region_code, a.insured_id, a.policy_year, a.eligible_to_date_fen, a.paid_to_date_fen, a.version
            FROM ledgers a WHERE {PersonYearOfKey} OFFSET 0) l
        """;

    private const string FindByKeysStatement = $"SELECT {AdjudicationRow.Columns} FROM adjudications WHERE idempotency_key = ANY($1::text[])";

    // The persons' active entries, in registry order; each person-year keeps those of its region and province.
    private const string RegistryStatement = """
        SELECT insured_id, region_code, category, valid_from, valid_to FROM person_categories
        WHERE insured_id = ANY($1::text[]) AND status = 'active'
        ORDER BY id
        """;

    private const string PersonYearsStatement = $"""
        {KeysStatement}
        SELECT r.* FROM keys k CROSS JOIN LATERAL (SELECT {AdjudicationRow.Columns} FROM adjudications a WHERE {PersonYearOfKey} {PostgreSqlDialect.ByPersonYearIndex}) r
        ORDER BY r.region_code, r.insured_id, r.policy_year, r.sequence, r.id
        """;

    private const string SetsStatement = $"""
        {KeysStatement}
        SELECT definition FROM parameter_sets
        WHERE id IN (SELECT s.id FROM keys k
                     CROSS JOIN LATERAL (SELECT a.parameter_set_id, a.repriced_parameter_set_id FROM adjudications a WHERE {PersonYearOfKey} {PostgreSqlDialect.ByPersonYearIndex}) a
                     CROSS JOIN LATERAL (VALUES (a.parameter_set_id), (a.repriced_parameter_set_id)) s(id))
        """;

    /// <summary>
    /// The batch's reads in one round trip, under its ledger locks (PostgreSQL): creates the missing ledger rows of the
    /// settlements' person-years, locks those and the reversals' in key order, and reads what every item needs.
    /// </summary>
    public async Task<PlannedBatch> ReadAsync(IReadOnlyList<BatchRead> items, DateTime now, CancellationToken ct)
    {
        var settled = items.Where(i => i.Settles is not null).Select(i => i.Settles!).Distinct().ToList();
        var targets = items.Where(i => i.Settles is null).Select(i => Keys.Settlement(i.HospitalCode, i.SettlementId)).Distinct().ToArray();
        var lookups = items.Select(i => i.Settles is null ? Keys.Reversal(i.HospitalCode, i.SettlementId) : Keys.Settlement(i.HospitalCode, i.SettlementId))
            .Concat(targets).Distinct().ToArray();
        var keyArgs = KeyArgs(settled, targets);

        await using var batch = new NpgsqlBatch((NpgsqlConnection)_connection, (NpgsqlTransaction)_transaction);
        foreach (var statement in PlanningStatements) batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        batch.BatchCommands.Add(Command(CreateLedgersStatement, [.. keyArgs(), now]));
        batch.BatchCommands.Add(Command(LockLedgersStatement, keyArgs()));
        batch.BatchCommands.Add(Command(FindByKeysStatement, (object)lookups));
        AddPersonYearReads(batch, settled, keyArgs);
        await using var reader = await batch.ExecuteReaderAsync(ct);

        var ledgers = await ReadAllAsync<KeyedLedgerRow>(reader, ct);
        await reader.NextResultAsync(ct);
        var found = await ReadAllAsync<AdjudicationRow>(reader, ct);
        await reader.NextResultAsync(ct);
        var (registry, rows, sets) = await ReadPersonYearsAsync(reader, ct);
        return Planned(ledgers, found, registry, rows, sets.ToDictionary(s => s.Id));
    }

    /// <summary>
    /// The previews' reads in one round trip, unlocked (PostgreSQL): each person-year, as <see cref="SettlementStore.ReadAsync"/>
    /// reads one. <paramref name="distinct"/>: each key once.
    /// </summary>
    internal static async Task<IReadOnlyDictionary<PersonYearKey, (PersonYear PersonYear, IReadOnlyList<CategoryEntry> Registry)>> ReadUnlockedAsync(
        NpgsqlConnection connection, IReadOnlyList<PersonYearKey> distinct, CancellationToken ct)
    {
        var keyArgs = KeyArgs(distinct, []);
        // A transaction of the batch's own, begun and committed inside it (one round trip), so its reads plan generically too.
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN READ ONLY"));
        foreach (var statement in PlanningStatements) batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        batch.BatchCommands.Add(Command(ReadLedgersStatement, keyArgs()));
        AddPersonYearReads(batch, distinct, keyArgs);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var ledgers = await ReadAllAsync<KeyedLedgerRow>(reader, ct);
        await reader.NextResultAsync(ct);
        var (registry, rows, sets) = await ReadPersonYearsAsync(reader, ct);

        var ledgerOf = ledgers.ToDictionary(l => l.Key);
        var rowsOf = rows.ToLookup(r => new PersonYearKey(r.RegionCode, r.InsuredId, r.PolicyYear));
        var registryOf = registry.ToLookup(r => r.InsuredId);
        return distinct.ToDictionary(k => k, k =>
        {
            var personYear = PersonYear.From(k, (LedgerRow?)ledgerOf.GetValueOrDefault(k) ?? new LedgerRow(), rowsOf[k].ToList(), sets);
            return (personYear, (IReadOnlyList<CategoryEntry>)RegistryOf(registryOf, k));
        });
    }

    // The last reads of both batches: the persons' registry entries, the person-years' adjudications and their sets.
    private static void AddPersonYearReads(NpgsqlBatch batch, IEnumerable<PersonYearKey> keys, Func<object[]> keyArgs)
    {
        batch.BatchCommands.Add(Command(RegistryStatement, (object)keys.Select(k => k.InsuredId).Distinct().ToArray()));
        batch.BatchCommands.Add(Command(PersonYearsStatement, keyArgs()));
        batch.BatchCommands.Add(Command(SetsStatement, keyArgs()));
    }

    /// <summary>The results of <see cref="AddPersonYearReads"/>, the reader on the first of them.</summary>
    private static async Task<(List<PlannedBatch.RegistryRow> Registry, List<AdjudicationRow> Rows, List<ParameterSet> Sets)> ReadPersonYearsAsync(
        NpgsqlDataReader reader, CancellationToken ct)
    {
        var registry = await ReadAllAsync<PlannedBatch.RegistryRow>(reader, ct);
        await reader.NextResultAsync(ct);
        var rows = await ReadAllAsync<AdjudicationRow>(reader, ct);
        await reader.NextResultAsync(ct);
        var sets = new List<ParameterSet>();
        while (await reader.ReadAsync(ct)) sets.Add(ParameterSetJson.Deserialize(reader.GetString(0)));
        return (registry, rows, sets);
    }

    private static PlannedBatch Planned(List<KeyedLedgerRow> ledgers, List<AdjudicationRow> found, List<PlannedBatch.RegistryRow> registry,
        List<AdjudicationRow> rows, Dictionary<string, ParameterSet> sets)
    {
        var rowsOf = rows.ToLookup(r => new PersonYearKey(r.RegionCode, r.InsuredId, r.PolicyYear));
        // Only the person-years locked: one read by a later statement but committed after the lock is not the batch's to plan.
        var locked = ledgers.ToDictionary(l => l.Key, l => new PlannedBatch.Locked(l, rowsOf[l.Key].ToList(), sets));
        // A key of a locked person-year resolves to the row its person-year holds (one object, so a reversal's mark shows in both).
        var byKey = found.Concat(locked.Values.SelectMany(l => l.Rows));
        return new PlannedBatch(byKey, locked, registry.ToLookup(r => r.InsuredId));
    }

    internal static List<CategoryEntry> RegistryOf(ILookup<string, PlannedBatch.RegistryRow> registry, PersonYearKey key) =>
        registry[key.InsuredId].Where(r => r.RegionCode == key.RegionCode || r.RegionCode == key.ProvinceCode)
            .Select(r => new CategoryEntry(PersonCategories.Parse(r.Category), r.ValidFrom, r.ValidTo)).ToList();

    private static Func<object[]> KeyArgs(IReadOnlyList<PersonYearKey> keys, string[] targets)
    {
        var sorted = PersonYearKey.InKeyOrder(keys).ToList();
        var regions = sorted.Select(k => k.RegionCode).ToArray();
        var insureds = sorted.Select(k => k.InsuredId).ToArray();
        var years = sorted.Select(k => k.PolicyYear).ToArray();
        return () => [regions, insureds, years, targets];
    }

    private static NpgsqlBatchCommand Command(string statement, params object[] values)
    {
        var command = new NpgsqlBatchCommand(statement);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlDataReader reader, CancellationToken ct)
    {
        var parse = reader.GetRowParser<T>();
        var all = new List<T>();
        while (await reader.ReadAsync(ct)) all.Add(parse(reader));
        if (typeof(T) == typeof(AdjudicationRow))
            foreach (var row in all.Cast<AdjudicationRow>()) row.AdjudicatedAt = DateTime.SpecifyKind(row.AdjudicatedAt, DateTimeKind.Utc);
        return all;
    }

    // Both updates find their rows by key lookups whatever the statistics (see PlanningStatements): a hash join of the
    // arrays with the table, planned while the table was small, would read all of it, or all of an index.
    private const string MarkReversedStatement = """
        UPDATE adjudications a SET reversed_by_id = u.reversal_id
        FROM unnest($1::text[], $2::text[]) AS u(id, reversal_id) WHERE a.id = u.id AND a.id = ANY($1::text[])
        """;

    // Each ledger's row found by its key (the batch holds its lock, so the row stays where it was found), then updated there.
    private const string MoveLedgersStatement = """
        UPDATE ledgers l SET eligible_to_date_fen = v.eligible, paid_to_date_fen = v.paid, version = v.version, updated_at = v.at
        FROM (SELECT x.row_id, u.eligible, u.paid, u.version, u.at
              FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[], $6::int[], $7::timestamptz[])
                  AS u(region_code, insured_id, policy_year, eligible, paid, version, at)
              CROSS JOIN LATERAL (SELECT x.ctid AS row_id FROM ledgers x
                  WHERE x.region_code = u.region_code AND x.insured_id = u.insured_id AND x.policy_year = u.policy_year OFFSET 0) x) v
        WHERE l.ctid = v.row_id
        """;

    /// <summary>Everything the batch's items appended, in one round trip (PostgreSQL); the caller commits.</summary>
    public async Task WriteAsync(PlannedBatch planned, CancellationToken ct)
    {
        var moved = planned.MovedLedgers.ToList();
        await using var batch = new NpgsqlBatch((NpgsqlConnection)_connection, (NpgsqlTransaction)_transaction);
        batch.BatchCommands.Add(PostgreSqlDialect.ArrayInsertCommand(StoredTables.Adjudications, planned.NewRows));
        batch.BatchCommands.Add(PostgreSqlDialect.ArrayInsertCommand(StoredTables.AuditLog, planned.NewAudit));
        if (planned.Reversed.Count > 0)
            batch.BatchCommands.Add(Command(MarkReversedStatement, Col(planned.Reversed, x => x.Id), Col(planned.Reversed, x => x.ReversalId)));
        batch.BatchCommands.Add(Command(MoveLedgersStatement,
            Col(moved, m => m.Key.RegionCode), Col(moved, m => m.Key.InsuredId), Col(moved, m => m.Key.PolicyYear),
            Col(moved, m => m.Ledger.EligibleToDateFen), Col(moved, m => m.Ledger.PaidToDateFen), Col(moved, m => m.Ledger.Version),
            Col(moved, m => m.At)));
        await batch.ExecuteNonQueryAsync(ct);
    }

    private static T[] Col<TRow, T>(IReadOnlyList<TRow> rows, Func<TRow, T> value)
    {
        var column = new T[rows.Count];
        for (var i = 0; i < column.Length; i++) column[i] = value(rows[i]);
        return column;
    }
}

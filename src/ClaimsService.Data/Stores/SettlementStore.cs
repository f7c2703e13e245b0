using System.Data.Common;
using System.Text.Json;
using ClaimsService.Domain;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>A person-year: the pooling region, the insured person and the policy year (the ledger's key).</summary>
public sealed record PersonYearKey(string RegionCode, string InsuredId, int PolicyYear)
{
    public string ProvinceCode => Resolution.ProvinceOf(RegionCode);

    /// <summary>The ledgers' key order (ordinal): every batch of every instance locks its person-years in it, so none wait in a cycle.</summary>
    public static IEnumerable<PersonYearKey> InKeyOrder(IEnumerable<PersonYearKey> keys) =>
        keys.OrderBy(k => k.RegionCode, StringComparer.Ordinal).ThenBy(k => k.InsuredId, StringComparer.Ordinal).ThenBy(k => k.PolicyYear);

    /// <summary>Never the whole resident ID (style.md 9).</summary>
    public override string ToString() => $"{RegionCode}/{ResidentId.Mask(InsuredId)}/{PolicyYear}";
}

/// <summary>
/// Idempotency keys: a kind and two parts joined by '|'. Each part is escaped ('\' → '\\', '|' → '\|'), so no value can
/// make two different (hospital, settlement) pairs one key; the API's alphabets keep both separators out anyway.
/// </summary>
internal static class Keys
{
    public static string Settlement(string hospital, string settlementId) => Join('S', hospital, settlementId);
    public static string Reversal(string hospital, string settlementId) => Join('R', hospital, settlementId);
    public static string Adjustment(string reversalId, string settlementAdjudicationId) => Join('A', reversalId, settlementAdjudicationId);
    public static string RunAdjustment(string runId, string settlementAdjudicationId) => Join('J', runId, settlementAdjudicationId);

    private static string Join(char kind, string first, string second) => $"{kind}|{Escape(first)}|{Escape(second)}";

    private static string Escape(string part) =>
        part.AsSpan().IndexOfAny('|', '\\') < 0 ? part : part.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);
}

/// <summary>
/// Settlements and the person-year ledger: SQL only. An adjudication is a unit of work (<see cref="BeginAsync"/>): the
/// ledger row is locked and the person-year read, the caller has the domain plan it, the plan is appended (each
/// idempotency key is unique) and the transaction committed.
/// </summary>
public sealed class SettlementStore(Db db)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal const string FindByKeySql = $"SELECT {AdjudicationRow.Columns} FROM adjudications WHERE idempotency_key = @Key";

    internal const string PersonYearSql = $"""
        SELECT {AdjudicationRow.Columns} FROM adjudications
        WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
        ORDER BY sequence, id
        """;

    // What a unit of work reads under the lock, in one round trip: the ledger row, created when missing and locked (dialect),
    // then under that lock the idempotency key (a retry finds its first answer), the registry, the person-year and its sets.
    // Composed once per dialect: Dapper hashes the SQL text of every call to find its cached mapping.
    private readonly string _lockedReadsSql =
        $"{db.Dialect.KeyLookupsOnlySql}{db.Dialect.LockLedgerSql}\n{FindByKeySql};\n{RegistryStore.ForPersonSql};\n{PersonYearSql};\n{db.Dialect.PersonYearSetsSql};";

    // A lookup by idempotency key on its own (a reversal's first read, a settlement asked for) carries the dialect's prefix
    // too, in a transaction or not: a statement is prepared once per connection and its plan is kept, whichever read planned
    // it first (KeyLookupsOnlySql).
    private readonly string _findByKeySql = $"{db.Dialect.KeyLookupsOnlySql}{FindByKeySql}";

    /// <summary>Opens a unit of work: a connection and a transaction. Run it inside <see cref="Db.RunAsync{T}"/>.</summary>
    public async Task<PersonYearUnitOfWork> BeginAsync(CancellationToken ct)
    {
        var (connection, transaction) = await db.BeginAsync(ct);
        return new PersonYearUnitOfWork(_lockedReadsSql, _findByKeySql, connection, transaction);
    }

    /// <summary>Opens a batch of units of work in one transaction (the commit pipeline). Run it inside <see cref="Db.RunAsync{T}"/>.</summary>
    public async Task<SettlementBatch> BeginBatchAsync(CancellationToken ct)
    {
        var (connection, transaction) = await db.BeginAsync(ct);
        return new SettlementBatch(db.Dialect, new PersonYearUnitOfWork(_lockedReadsSql, _findByKeySql, connection, transaction, ownsTransaction: false),
            connection, transaction);
    }

    /// <summary>A unique key decided between two writers (the same idempotency key for another person-year at once).</summary>
    public bool IsDuplicateKey(Exception exception) => db.Dialect.IsUniqueViolation(exception);

    /// <summary>The adjudication with this settlement's idempotency key, outside any transaction.</summary>
    private const string InsertTombstoneSql = $"INSERT INTO adjudications ({AdjudicationRow.Columns}) VALUES ({AdjudicationRow.Values})";

    /// <summary>
    /// 冲正 of a settlement that never arrived: a tombstone row under the settlement's own idempotency key (so the unique
    /// constraint, not a read, decides between it and a late original), with its audit entry. Throws a duplicate-key error
    /// when the key is taken (the original arrived meanwhile).
    /// </summary>
    public Task<Adjudication> RecordVoidAsync(string hospitalCode, string settlementId, string? regionCode, AuditContext audit, DateTime now,
        CancellationToken ct) => db.InTransactionAsync(async (connection, transaction, t) =>
    {
        var row = new AdjudicationRow
        {
            Id = Guid.CreateVersion7(now).ToString(), IdempotencyKey = Keys.Settlement(hospitalCode, settlementId), Kind = Kinds.Void,
            HospitalCode = hospitalCode, SettlementId = settlementId, RegionCode = regionCode ?? "", InsuredId = "",
            PolicyYear = BusinessDay.Of(now).Year, Category = PersonCategory.General.Code, ParameterSetId = "", ParameterSetRegion = "",
            AdjudicatedAt = now, BusinessDate = BusinessDay.Of(now),
        };
        await connection.ExecuteAsync(new CommandDefinition(InsertTombstoneSql, row, transaction, cancellationToken: t));
        await AuditStore.AppendAsync(connection, transaction, new AuditRow
        {
            AdjudicationId = row.Id, Kind = Kinds.Void, Outcome = "accepted", Caller = audit.Caller, HospitalCode = hospitalCode,
            SettlementId = settlementId, RegionCode = row.RegionCode, ParameterSetId = null, Category = null, Inputs = audit.InputsJson,
            Trace = "[]", Outputs = JsonSerializer.Serialize(new { adjudicationId = row.Id, kind = Kinds.Void, payout = 0m }, Json),
            TraceId = audit.TraceId, RecordedAt = now,
        }, t);
        return Adjudication.From(row);
    }, ct);

    public Task<Adjudication?> FindSettlementAsync(string hospitalCode, string settlementId, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => await FindByKeyAsync(c, null, _findByKeySql, Keys.Settlement(hospitalCode, settlementId), t) is { } row
            ? Adjudication.From(row) : null, ct);

    private const string LedgerSql = $"SELECT {Dialects.SqlDialect.SelectLedgerColumns} FROM ledgers WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear";

    private readonly string _ledgerReadsSql = $"{db.Dialect.KeyLookupsOnlySql}{LedgerSql};\n{PersonYearSql}";

    /// <summary>The person-year's ledger (empty when nothing was settled) and every adjudication in order, in one round trip.</summary>
    public Task<(YearToDate Ledger, IReadOnlyList<Adjudication> Entries)> LedgerAsync(string regionCode, string insuredId, int policyYear, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var args = new { RegionCode = regionCode, InsuredId = insuredId, PolicyYear = policyYear };
            await using var grid = await c.QueryMultipleAsync(new CommandDefinition(_ledgerReadsSql, args, cancellationToken: t));
            var ledger = await grid.ReadSingleOrDefaultAsync<LedgerRow>();
            var entries = (await grid.ReadAsync<AdjudicationRow>()).Select(Adjudication.From).ToList();
            return (ledger is null ? YearToDate.Empty : new YearToDate(Money.FromFen(ledger.EligibleToDateFen), Money.FromFen(ledger.PaidToDateFen)),
                (IReadOnlyList<Adjudication>)entries);
        }, ct);

    private readonly string _previewReadsSql =
        $"{db.Dialect.KeyLookupsOnlySql}{LedgerSql};\n{RegistryStore.ForPersonSql};\n{PersonYearSql};\n{db.Dialect.PersonYearSetsSql};";

    /// <summary>What a preview plans against, unlocked, in one round trip: the person-year and the person's registry entries.</summary>
    public Task<(PersonYear PersonYear, IReadOnlyList<CategoryEntry> Registry)> ReadAsync(PersonYearKey key, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            await using var grid = await c.QueryMultipleAsync(new CommandDefinition(_previewReadsSql, Args(key), cancellationToken: t));
            var ledger = await grid.ReadSingleOrDefaultAsync<LedgerRow>() ?? new LedgerRow();
            var registry = await RegistryStore.ReadForPersonAsync(grid);
            return (await ReadPersonYearAsync(key, ledger, grid), registry);
        }, ct);

    /// <summary>
    /// What a batch of previews plans against, unlocked: each person-year with its registry entries. One round trip on
    /// PostgreSQL whatever the number of person-years; elsewhere one each.
    /// </summary>
    public async Task<IReadOnlyDictionary<PersonYearKey, (PersonYear PersonYear, IReadOnlyList<CategoryEntry> Registry)>> ReadManyAsync(
        IReadOnlyList<PersonYearKey> keys, CancellationToken ct)
    {
        var distinct = keys.Distinct().ToList();
        // One person-year (a batch of one: a lone request) reads as the per-request path does, so batching costs it nothing.
        if (db.Dialect.Provider == DatabaseProvider.PostgreSql && distinct.Count > 1)
            return await db.ReadAsync((c, t) => SettlementBatch.ReadUnlockedAsync((Npgsql.NpgsqlConnection)c, distinct, t), ct);
        var all = new Dictionary<PersonYearKey, (PersonYear, IReadOnlyList<CategoryEntry>)>();
        foreach (var key in distinct) all[key] = await ReadAsync(key, ct);
        return all;
    }

    internal static object Args(PersonYearKey key, DateTime? now = null, string? idempotencyKey = null) => new
    {
        key.RegionCode, key.InsuredId, key.PolicyYear, key.ProvinceCode, Now = now ?? DateTime.UnixEpoch, Key = idempotencyKey,
    };

    /// <summary>Reads the rest of a batch that ends with <see cref="PersonYearSql"/> and <see cref="Dialects.SqlDialect.PersonYearSetsSql"/>.</summary>
    internal static async Task<PersonYear> ReadPersonYearAsync(PersonYearKey key, LedgerRow ledger, SqlMapper.GridReader grid)
    {
        var rows = (await grid.ReadAsync<AdjudicationRow>()).AsList();
        foreach (var row in rows) row.AdjudicatedAt = DateTime.SpecifyKind(row.AdjudicatedAt, DateTimeKind.Utc);
        var sets = (await grid.ReadAsync<string>()).Select(ParameterSetJson.Deserialize).ToList();
        return PersonYear.From(key, ledger, rows, sets);
    }

    /// <param name="sql"><see cref="FindByKeySql"/> behind the dialect's <see cref="Dialects.SqlDialect.KeyLookupsOnlySql"/>.</param>
    internal static async Task<AdjudicationRow?> FindByKeyAsync(DbConnection c, DbTransaction? tx, string sql, string key, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<AdjudicationRow>(new CommandDefinition(sql, new { Key = key }, tx, cancellationToken: ct));
        if (row is not null) row.AdjudicatedAt = DateTime.SpecifyKind(row.AdjudicatedAt, DateTimeKind.Utc);
        return row;
    }
}

/// <summary>Instants as every provider stores them: PostgreSQL keeps microseconds (SQL Server's datetime2 and SQLite keep more).</summary>
public static class Instants
{
    /// <summary>The instant cut to the microsecond, so a first answer, its replay and a statement say the same, byte for byte.</summary>
    public static DateTime Stored(DateTime utc) => new(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);

    /// <summary>Now, as it will be stored.</summary>
    public static DateTime UtcNowStored(this TimeProvider time) => Stored(time.GetUtcNow().UtcDateTime);
}

/// <summary>Business days are days in China Standard Time (UTC+8), which keeps no daylight saving.</summary>
public static class BusinessDay
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly Of(DateTime utc) => DateOnly.FromDateTime(utc + Offset);

    /// <summary>The UTC instant at which a business day starts.</summary>
    public static DateTime StartUtc(DateOnly day) => DateTime.SpecifyKind(day.ToDateTime(TimeOnly.MinValue) - Offset, DateTimeKind.Utc);
}

using System.Data.Common;
using System.Text.Json;
using ClaimsService.Domain;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>What a hospital asks to settle, validated, with who asked and when.</summary>
public sealed record SettlementCommand(
    string HospitalCode, string SettlementId, string RegionCode, string InsuredId, DateOnly AdmissionDate, DateOnly DischargeDate,
    bool ReferredOutOfRegion, decimal EligibleAmount, string RequestHash, string InputsJson, string Caller, string? TraceId, DateTime Now)
{
    public int PolicyYear => Resolution.PolicyYear(DischargeDate);
    public string IdempotencyKey => Keys.Settlement(HospitalCode, SettlementId);
}

/// <summary>A settlement priced against the locked ledger: the set used and the outcome.</summary>
public sealed record PricedSettlement(ParameterSet Set, Pricing Pricing);

public abstract record SettleOutcome
{
    public sealed record Created(AdjudicationRow Row) : SettleOutcome;
    public sealed record Replayed(AdjudicationRow Row) : SettleOutcome;
    public sealed record KeyReused(AdjudicationRow Existing) : SettleOutcome;
    /// <summary>The same key is being settled right now by another request.</summary>
    public sealed record InFlight : SettleOutcome;
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

    private static string Join(char kind, string first, string second) => $"{kind}|{Escape(first)}|{Escape(second)}";

    private static string Escape(string part) =>
        part.AsSpan().IndexOfAny('|', '\\') < 0 ? part : part.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);
}

/// <summary>
/// Settlements and the person-year ledger. Each effect is one transaction: the ledger row is locked, the
/// adjudication inserted (its idempotency key is unique), the ledger updated and the audit entry written.
/// </summary>
public sealed partial class SettlementStore(Db db)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string FindByKeySql = $"SELECT {AdjudicationRow.Columns} FROM adjudications WHERE idempotency_key = @Key";
    private const string InsertSql = $"INSERT INTO adjudications ({AdjudicationRow.Columns}) VALUES ({AdjudicationRow.Values})";
    private const string UpdateLedgerSql = """
        UPDATE ledgers SET eligible_to_date_fen = @EligibleToDateFen, paid_to_date_fen = @PaidToDateFen, version = @Version, updated_at = @Now
        WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
        """;

    // The reads of a settlement in one round trip: the person-year's ledger row, created when missing and
    // locked (dialect), then under that lock this very key (a retry finds its first answer) and the registry.
    // Composed once: Dapper hashes the SQL text of every call to find its cached mapping.
    private readonly string _settleReadsSql = $"{db.Dialect.LockLedgerSql}\n{FindByKeySql};\n{RegistryStore.ForPersonSql};";

    // The writes in one round trip: the adjudication, and the ledger moved to its "after" figures.
    private const string SettleWritesSql = $"""
        {InsertSql};
        UPDATE ledgers SET eligible_to_date_fen = @EligibleAfterFen, paid_to_date_fen = @PaidAfterFen, version = @Sequence, updated_at = @AdjudicatedAt
        WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear;
        """;

    /// <summary>
    /// Settles once per idempotency key. <paramref name="price"/> prices the stay against the locked ledger and the
    /// person's registry entries (read in the same transaction); it is pure and may run again if the transaction is retried.
    /// </summary>
    public async Task<SettleOutcome> SettleAsync(SettlementCommand command, Func<YearToDate, IReadOnlyList<CategoryEntry>, PricedSettlement> price, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(async (c, tx, t) =>
            {
                LedgerRow ledger;
                AdjudicationRow? existing;
                IReadOnlyList<CategoryEntry> entries;
                await using (var grid = await c.QueryMultipleAsync(new CommandDefinition(_settleReadsSql, new
                {
                    command.RegionCode, command.InsuredId, command.PolicyYear, command.Now, Key = command.IdempotencyKey,
                    ProvinceCode = Resolution.ProvinceOf(command.RegionCode),
                }, tx, cancellationToken: t)))
                {
                    ledger = await grid.ReadSingleAsync<LedgerRow>();
                    existing = await grid.ReadSingleOrDefaultAsync<AdjudicationRow>();
                    entries = await RegistryStore.ReadForPersonAsync(grid);
                }
                if (existing is not null)
                {
                    existing.AdjudicatedAt = DateTime.SpecifyKind(existing.AdjudicatedAt, DateTimeKind.Utc);
                    return Repeat(existing, command.RequestHash);
                }

                var (set, pricing) = price(new YearToDate(Money.FromFen(ledger.EligibleToDateFen), Money.FromFen(ledger.PaidToDateFen)), entries);
                var row = NewRow(Kinds.Settlement, command.IdempotencyKey, command.HospitalCode, command.SettlementId, command.RegionCode,
                    command.InsuredId, command.PolicyYear, ledger.Version + 1, set, pricing, command.Now);
                row.AdmissionDate = command.AdmissionDate;
                row.DischargeDate = command.DischargeDate;
                row.ReferredOutOfRegion = command.ReferredOutOfRegion;
                row.RequestHash = command.RequestHash;
                await c.ExecuteAsync(new CommandDefinition(SettleWritesSql, row, tx, cancellationToken: t));
                await AuditStore.AppendAsync(c, tx, AuditOf(row, command.Caller, command.InputsJson, command.TraceId), t);
                return (SettleOutcome)new SettleOutcome.Created(row);
            }, ct);
        }
        catch (Exception e) when (db.Dialect.IsUniqueViolation(e))
        {
            // The same key settled at once for another person-year (a reused key): the constraint decided.
            var existing = await db.ReadAsync((c, t) => FindByKeyAsync(c, null, command.IdempotencyKey, t), ct);
            return existing is null ? new SettleOutcome.InFlight() : Repeat(existing, command.RequestHash);
        }
    }

    private static SettleOutcome Repeat(AdjudicationRow existing, string requestHash) =>
        existing.RequestHash == requestHash ? new SettleOutcome.Replayed(existing) : new SettleOutcome.KeyReused(existing);

    /// <summary>A hospital's settlement and, when it was reversed, its reversal.</summary>
    public Task<(AdjudicationRow? Settlement, AdjudicationRow? Reversal)> FindAsync(string hospitalCode, string settlementId, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var settlement = await FindByKeyAsync(c, null, Keys.Settlement(hospitalCode, settlementId), t);
            var reversal = settlement?.ReversedById is null ? null : await FindByKeyAsync(c, null, Keys.Reversal(hospitalCode, settlementId), t);
            return (settlement, reversal);
        }, ct);

    private const string LedgerSql = $"SELECT {Dialects.SqlDialect.SelectLedgerColumns} FROM ledgers WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear";
    private const string PersonYearSql = $"""
        SELECT {AdjudicationRow.Columns} FROM adjudications
        WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
        ORDER BY sequence, id
        """;

    /// <summary>The person-year's ledger row (null when nothing was settled) and every adjudication in order.</summary>
    public Task<(LedgerRow? Ledger, IReadOnlyList<AdjudicationRow> Entries)> LedgerAsync(string regionCode, string insuredId, int policyYear, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var args = new { RegionCode = regionCode, InsuredId = insuredId, PolicyYear = policyYear };
            var ledger = await c.QuerySingleOrDefaultAsync<LedgerRow>(new CommandDefinition(LedgerSql, args, cancellationToken: t));
            var entries = (await c.QueryAsync<AdjudicationRow>(new CommandDefinition(PersonYearSql, args, cancellationToken: t))).AsList();
            return (ledger, (IReadOnlyList<AdjudicationRow>)entries);
        }, ct);

    private const string PreviewReadsSql = $"{LedgerSql};\n{RegistryStore.ForPersonSql};";

    /// <summary>What a preview prices against, in one round trip: the person-year's ledger row, unlocked (null when
    /// nothing was settled), and the person's registry entries.</summary>
    public Task<(LedgerRow? Ledger, IReadOnlyList<CategoryEntry> Entries)> PreviewReadsAsync(string regionCode, string insuredId, int policyYear, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            await using var grid = await c.QueryMultipleAsync(new CommandDefinition(PreviewReadsSql, new
            {
                RegionCode = regionCode, InsuredId = insuredId, PolicyYear = policyYear, ProvinceCode = Resolution.ProvinceOf(regionCode),
            }, cancellationToken: t));
            var ledger = await grid.ReadSingleOrDefaultAsync<LedgerRow>();
            return (ledger, await RegistryStore.ReadForPersonAsync(grid));
        }, ct);

    private Task<LedgerRow> LockLedgerAsync(DbConnection c, DbTransaction tx, string regionCode, string insuredId, int policyYear, DateTime now, CancellationToken ct) =>
        c.QuerySingleAsync<LedgerRow>(new CommandDefinition(db.Dialect.LockLedgerSql,
            new { RegionCode = regionCode, InsuredId = insuredId, PolicyYear = policyYear, Now = now }, tx, cancellationToken: ct));

    private static Task UpdateLedgerAsync(DbConnection c, DbTransaction tx, AdjudicationRow row, decimal eligible, decimal paid, int version, DateTime now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(UpdateLedgerSql, new
        {
            EligibleToDateFen = Money.ToFen(eligible), PaidToDateFen = Money.ToFen(paid), Version = version, Now = now,
            row.RegionCode, row.InsuredId, row.PolicyYear,
        }, tx, cancellationToken: ct));

    private static async Task<AdjudicationRow?> FindByKeyAsync(DbConnection c, DbTransaction? tx, string key, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<AdjudicationRow>(new CommandDefinition(FindByKeySql, new { Key = key }, tx, cancellationToken: ct));
        if (row is not null) row.AdjudicatedAt = DateTime.SpecifyKind(row.AdjudicatedAt, DateTimeKind.Utc);
        return row;
    }

    private static AdjudicationRow NewRow(string kind, string key, string hospitalCode, string settlementId, string regionCode, string insuredId,
        int policyYear, long sequence, ParameterSet set, Pricing pricing, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(now).ToString(),
        IdempotencyKey = key,
        Kind = kind,
        HospitalCode = hospitalCode,
        SettlementId = settlementId,
        RegionCode = regionCode,
        InsuredId = insuredId,
        PolicyYear = policyYear,
        Sequence = sequence,
        Category = pricing.Category.ToCode(),
        ParameterSetId = set.Id,
        ParameterSetVersion = set.Version,
        ParameterSetRegion = set.RegionCode,
        EligibleAmountFen = Money.ToFen(pricing.EligibleAmount),
        DeductibleFen = Money.ToFen(pricing.Evaluation.Deductible),
        EligibleBeforeFen = Money.ToFen(pricing.EligibleBefore),
        EligibleAfterFen = Money.ToFen(pricing.EligibleAfter),
        PaidBeforeFen = Money.ToFen(pricing.PaidBefore),
        PaidAfterFen = Money.ToFen(pricing.PaidAfter),
        PayoutFen = Money.ToFen(pricing.Payout),
        CapApplied = pricing.Evaluation.CapApplied,
        Trace = JsonSerializer.Serialize(pricing.Evaluation.Trace, Json),
        AdjudicatedAt = now,
        BusinessDate = BusinessDay.Of(now),
    };

    private static AuditRow AuditOf(AdjudicationRow row, string caller, string inputsJson, string? traceId) => new()
    {
        AdjudicationId = row.Id,
        Kind = row.Kind,
        Outcome = "accepted",
        Caller = caller,
        HospitalCode = row.HospitalCode,
        SettlementId = row.SettlementId,
        RegionCode = row.RegionCode,
        ParameterSetId = row.ParameterSetId,
        ParameterSetVersion = row.ParameterSetVersion,
        Category = row.Category,
        Inputs = inputsJson,
        Trace = row.Trace,
        Outputs = JsonSerializer.Serialize(new
        {
            adjudicationId = row.Id, kind = row.Kind, payout = Money.FromFen(row.PayoutFen), deductible = Money.FromFen(row.DeductibleFen),
            eligibleAmount = Money.FromFen(row.EligibleAmountFen), eligibleBefore = Money.FromFen(row.EligibleBeforeFen),
            eligibleAfter = Money.FromFen(row.EligibleAfterFen), paidBefore = Money.FromFen(row.PaidBeforeFen),
            paidAfter = Money.FromFen(row.PaidAfterFen), capApplied = row.CapApplied, relatedId = row.RelatedId,
        }, Json),
        TraceId = traceId,
        RecordedAt = row.AdjudicatedAt,
    };
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

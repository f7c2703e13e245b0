using System.Data;
using System.Data.Common;
using Dapper;

namespace ClaimsService.Data.Reconciliation;

/// <summary>Totals of one kind, category and business day. Amounts in fen.</summary>
public sealed class SummaryRow
{
    public string Kind { get; set; } = "";
    public string Category { get; set; } = "";
    public DateOnly BusinessDate { get; set; }
    /// <summary>The payout's sign: top-ups (1) and recoveries (−1) of adjustments are counted apart.</summary>
    public int Sign { get; set; }
    public long Count { get; set; }
    public long EligibleAmountFen { get; set; }
    public long PayoutFen { get; set; }
}

/// <summary>A count of adjudications and their payout in fen.</summary>
public sealed class CountAndPayout
{
    public long Count { get; set; }
    public long PayoutFen { get; set; }
}

/// <summary>What insurers reconcile against: adjudications of a region over business days (UTC+8).</summary>
/// <remarks>
/// business_date is the UTC+8 day of adjudicated_at, kept at write time so every provider filters and groups alike;
/// ix_adjudications_region_day (region_code, business_date, adjudicated_at, id) serves every query here, including
/// the statement's order.
/// </remarks>
/// <summary>
/// Whose adjudications a reconciliation reads: an insurer's (or ops') region, or a hospital's own settlements, in one
/// region or all of them (api.md "Reconciliation": hospitals reconcile too).
/// </summary>
public sealed record ReconciliationScope(string? RegionCode, string? HospitalCode)
{
    public static ReconciliationScope Region(string regionCode) => new(regionCode, null);

    public static ReconciliationScope Hospital(string hospitalCode, string? regionCode) => new(regionCode, hospitalCode);

    internal bool ByHospital => HospitalCode is not null;

    internal object Args(DateOnly from, DateOnly to) => new { RegionCode, HospitalCode, From = from, To = to };
}

public sealed class ReconciliationStore(Db db)
{
    // The two scopes as predicates: a region (ix_adjudications_region_day), or a hospital's own rows, optionally of one region.
    private const string ByRegion = "region_code = @RegionCode";
    private const string ByHospital = "hospital_code = @HospitalCode AND (@RegionCode IS NULL OR region_code = @RegionCode)";

    // The payout's sign apart, so that top-ups and recoveries of adjustments are counted apart.
    private const string SignOfPayout = "CASE WHEN payout_fen > 0 THEN 1 WHEN payout_fen < 0 THEN -1 ELSE 0 END";

    private const string SummarySelect = $"""
        SELECT kind AS Kind, category AS Category, business_date AS BusinessDate, {SignOfPayout} AS Sign, COUNT(*) AS Count,
               SUM(eligible_amount_fen) AS EligibleAmountFen, SUM(payout_fen) AS PayoutFen
        FROM adjudications
        WHERE
        """;
    private const string SummaryRest = $" AND business_date >= @From AND business_date <= @To AND kind <> 'void' GROUP BY kind, category, business_date, {SignOfPayout}";
    private const string SummarySql = SummarySelect + " " + ByRegion + SummaryRest;
    private const string HospitalSummarySql = SummarySelect + " " + ByHospital + SummaryRest;

    public Task<IReadOnlyList<SummaryRow>> SummaryAsync(ReconciliationScope scope, DateOnly from, DateOnly to, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<SummaryRow>)(await c.QueryAsync<SummaryRow>(
            new CommandDefinition(scope.ByHospital ? HospitalSummarySql : SummarySql, scope.Args(from, to), cancellationToken: t))).AsList(), ct);

    private const string AllTotalsSelect = "SELECT COUNT(*) AS Count, COALESCE(SUM(payout_fen), 0) AS PayoutFen FROM adjudications WHERE ";
    private const string AllTotalsRest = " AND business_date >= @From AND business_date <= @To AND kind <> 'void'";
    private const string AllTotalsSql = AllTotalsSelect + ByRegion + AllTotalsRest;
    private const string HospitalAllTotalsSql = AllTotalsSelect + ByHospital + AllTotalsRest;

    // A settlement is reversed for a period when a reversal of it (same hospital and settlement id) is dated on or
    // before the period's last day. Adjudications are never back-dated, so the answer for a past period never changes,
    // and everything it needs is in the period's statement (a reversal always follows its settlement).
    private const string InForceTotalsSql = """
        SELECT COUNT(*) AS Count, COALESCE(SUM(a.payout_fen), 0) AS PayoutFen
        FROM adjudications a
        WHERE a.region_code = @RegionCode AND a.business_date >= @From AND a.business_date <= @To
          AND a.kind IN ('settlement', 'adjustment')
          AND NOT EXISTS (SELECT 1 FROM adjudications r
                          WHERE r.hospital_code = a.hospital_code AND r.settlement_id = a.settlement_id
                            AND r.kind = 'reversal' AND r.business_date <= @To)
        """;
    private const string HospitalInForceTotalsSql = """
        SELECT COUNT(*) AS Count, COALESCE(SUM(a.payout_fen), 0) AS PayoutFen
        FROM adjudications a
        WHERE a.hospital_code = @HospitalCode AND (@RegionCode IS NULL OR a.region_code = @RegionCode)
          AND a.business_date >= @From AND a.business_date <= @To
          AND a.kind IN ('settlement', 'adjustment')
          AND NOT EXISTS (SELECT 1 FROM adjudications r
                          WHERE r.hospital_code = a.hospital_code AND r.settlement_id = a.settlement_id
                            AND r.kind = 'reversal' AND r.business_date <= @To)
        """;

    /// <summary>
    /// The figures an insurer's totals are checked against. <paramref name="includeReversed"/> true: every
    /// adjudication of the period (settlements, reversals, adjustments). False: settlements not reversed by the end of
    /// the period and the adjustments of those settlements; reversals and reversed settlements (with their
    /// adjustments) are left out.
    /// </summary>
    public Task<CountAndPayout> TotalsAsync(ReconciliationScope scope, DateOnly from, DateOnly to, bool includeReversed, CancellationToken ct) =>
        db.ReadAsync((c, t) => c.QuerySingleAsync<CountAndPayout>(new CommandDefinition(
            (includeReversed, scope.ByHospital) switch
            {
                (true, false) => AllTotalsSql, (true, true) => HospitalAllTotalsSql, (false, false) => InForceTotalsSql, _ => HospitalInForceTotalsSql,
            }, scope.Args(from, to), cancellationToken: t)), ct);

    private const string StatementSelect = """
        SELECT id, kind, hospital_code, settlement_id, region_code, insured_id, policy_year, category,
               parameter_set_id, parameter_set_version, eligible_amount_fen, payout_fen, related_id, adjudicated_at, business_date, run_id,
               setl_id, psn_no, mdtrt_id
        FROM adjudications
        WHERE
        """;
    private const string PeriodInOrder = " AND business_date >= @From AND business_date <= @To ORDER BY business_date, adjudicated_at, id";
    private const string StatementSql = StatementSelect + " " + ByRegion + PeriodInOrder;
    private const string HospitalStatementSql = StatementSelect + " " + ByHospital + PeriodInOrder;

    /// <summary>
    /// Opens the period's adjudications in statement order (business day, instant, id) for reading one row at a time.
    /// Nothing is buffered: the caller writes each row on as it reads it and disposes the reader.
    /// </summary>
    public async Task<StatementReader> OpenStatementAsync(ReconciliationScope scope, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var (connection, reader) = await OpenReaderAsync(scope.ByHospital ? HospitalStatementSql : StatementSql, scope, from, to, ct);
        return new StatementReader(connection, reader);
    }

    private const string CountRest = " AND business_date >= @From AND business_date <= @To AND kind <> 'void'";
    private const string CountSql = "SELECT COUNT(*) FROM adjudications WHERE " + ByRegion + CountRest;
    private const string HospitalCountSql = "SELECT COUNT(*) FROM adjudications WHERE " + ByHospital + CountRest;

    /// <summary>How many adjudications the period has (sizes the detail check's index before it is filled).</summary>
    public Task<long> CountAsync(ReconciliationScope scope, DateOnly from, DateOnly to, CancellationToken ct) =>
        db.ReadAsync((c, t) => c.ExecuteScalarAsync<long>(new CommandDefinition(scope.ByHospital ? HospitalCountSql : CountSql,
            scope.Args(from, to), cancellationToken: t)), ct);

    // The detail check's service rows, with the keys an insurer or hospital may hold instead of the adjudication id.
    private const string PayoutsSelect = "SELECT id, payout_fen, hospital_code, settlement_id, setl_id FROM adjudications WHERE ";
    private const string PayoutsRest = " AND kind <> 'void'" + PeriodInOrder;
    private const string PayoutsSql = PayoutsSelect + ByRegion + PayoutsRest;
    private const string HospitalPayoutsSql = PayoutsSelect + ByHospital + PayoutsRest;

    /// <summary>The id and payout of each adjudication of the period, in statement order, one row at a time.</summary>
    public async Task<PayoutReader> OpenPayoutsAsync(ReconciliationScope scope, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var (connection, reader) = await OpenReaderAsync(scope.ByHospital ? HospitalPayoutsSql : PayoutsSql, scope, from, to, ct);
        return new PayoutReader(connection, reader);
    }

    private async Task<(DbConnection, DbDataReader)> OpenReaderAsync(string sql, ReconciliationScope scope, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var connection = await db.OpenForStreamingAsync(ct);
        try
        {
            // Dapper binds the parameters (DateOnly on every provider); the rows are read straight off the reader.
            // SequentialAccess: columns are read in order, once, and no provider needs to hold more than the current row.
            var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, scope.Args(from, to),
                cancellationToken: ct), CommandBehavior.SequentialAccess);
            return (connection, reader);
        }
        catch (Exception e) when (DatabaseResilience.IsOutage(db.Dialect, e) && !ct.IsCancellationRequested)
        {
            await connection.DisposeAsync();
            throw new DatabaseUnavailableException("The database is unavailable.", e, DatabaseResilience.BreakDuration);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

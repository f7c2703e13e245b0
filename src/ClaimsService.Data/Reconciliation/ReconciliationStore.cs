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
public sealed class ReconciliationStore(Db db)
{
    private const string SummarySql = """
        SELECT kind AS Kind, category AS Category, business_date AS BusinessDate,
               CASE WHEN payout_fen > 0 THEN 1 WHEN payout_fen < 0 THEN -1 ELSE 0 END AS Sign, COUNT(*) AS Count,
               SUM(eligible_amount_fen) AS EligibleAmountFen, SUM(payout_fen) AS PayoutFen
        FROM adjudications
        WHERE region_code = @RegionCode AND business_date >= @From AND business_date <= @To
        GROUP BY kind, category, business_date, CASE WHEN payout_fen > 0 THEN 1 WHEN payout_fen < 0 THEN -1 ELSE 0 END
        """;

    public Task<IReadOnlyList<SummaryRow>> SummaryAsync(string regionCode, DateOnly from, DateOnly to, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<SummaryRow>)(await c.QueryAsync<SummaryRow>(
            new CommandDefinition(SummarySql, new { RegionCode = regionCode, From = from, To = to }, cancellationToken: t))).AsList(), ct);

    private const string AllTotalsSql = """
        SELECT COUNT(*) AS Count, COALESCE(SUM(payout_fen), 0) AS PayoutFen
        FROM adjudications
        WHERE region_code = @RegionCode AND business_date >= @From AND business_date <= @To
        """;

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

    /// <summary>
    /// The figures an insurer's totals are checked against. <paramref name="includeReversed"/> true: every
    /// adjudication of the period (settlements, reversals, adjustments). False: settlements not reversed by the end of
    /// the period and the adjustments of those settlements; reversals and reversed settlements (with their
    /// adjustments) are left out.
    /// </summary>
    public Task<CountAndPayout> TotalsAsync(string regionCode, DateOnly from, DateOnly to, bool includeReversed, CancellationToken ct) =>
        db.ReadAsync((c, t) => c.QuerySingleAsync<CountAndPayout>(new CommandDefinition(includeReversed ? AllTotalsSql : InForceTotalsSql,
            new { RegionCode = regionCode, From = from, To = to }, cancellationToken: t)), ct);

    private const string StatementSql = """
        SELECT id, kind, hospital_code, settlement_id, region_code, insured_id, policy_year, category,
               parameter_set_id, parameter_set_version, eligible_amount_fen, payout_fen, related_id, adjudicated_at, business_date, run_id
        FROM adjudications
        WHERE region_code = @RegionCode AND business_date >= @From AND business_date <= @To
        ORDER BY business_date, adjudicated_at, id
        """;

    /// <summary>
    /// Opens the period's adjudications in statement order (business day, instant, id) for reading one row at a time.
    /// Nothing is buffered: the caller writes each row on as it reads it and disposes the reader.
    /// </summary>
    public async Task<StatementReader> OpenStatementAsync(string regionCode, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var (connection, reader) = await OpenReaderAsync(StatementSql, regionCode, from, to, ct);
        return new StatementReader(connection, reader);
    }

    private const string CountSql = """
        SELECT COUNT(*) FROM adjudications
        WHERE region_code = @RegionCode AND business_date >= @From AND business_date <= @To
        """;

    /// <summary>How many adjudications the period has (sizes the detail check's index before it is filled).</summary>
    public Task<long> CountAsync(string regionCode, DateOnly from, DateOnly to, CancellationToken ct) =>
        db.ReadAsync((c, t) => c.ExecuteScalarAsync<long>(new CommandDefinition(CountSql,
            new { RegionCode = regionCode, From = from, To = to }, cancellationToken: t)), ct);

    private const string PayoutsSql = """
        SELECT id, payout_fen
        FROM adjudications
        WHERE region_code = @RegionCode AND business_date >= @From AND business_date <= @To
        ORDER BY business_date, adjudicated_at, id
        """;

    /// <summary>The id and payout of each adjudication of the period, in statement order, one row at a time.</summary>
    public async Task<PayoutReader> OpenPayoutsAsync(string regionCode, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var (connection, reader) = await OpenReaderAsync(PayoutsSql, regionCode, from, to, ct);
        return new PayoutReader(connection, reader);
    }

    private async Task<(DbConnection, DbDataReader)> OpenReaderAsync(string sql, string regionCode, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var connection = await db.OpenForStreamingAsync(ct);
        try
        {
            // Dapper binds the parameters (DateOnly on every provider); the rows are read straight off the reader.
            // SequentialAccess: columns are read in order, once, and no provider needs to hold more than the current row.
            var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, new { RegionCode = regionCode, From = from, To = to },
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

using ClaimsService.Data.Stores;
using Dapper;

namespace ClaimsService.Data.Reconciliation;

/// <summary>Totals of one kind, category and business day. Amounts in fen.</summary>
public sealed class SummaryRow
{
    public string Kind { get; set; } = "";
    public string Category { get; set; } = "";
    public DateOnly BusinessDate { get; set; }
    public long Count { get; set; }
    public long EligibleAmountFen { get; set; }
    public long PayoutFen { get; set; }
}

/// <summary>What insurers reconcile against: adjudications of a region over business days (UTC+8).</summary>
public sealed class ReconciliationStore(Db db)
{
    // business_date is the UTC+8 day of adjudicated_at, kept at write time so every provider filters and groups alike.
    private const string SummarySql = """
        SELECT kind AS Kind, category AS Category, business_date AS BusinessDate, COUNT(*) AS Count,
               SUM(eligible_amount_fen) AS EligibleAmountFen, SUM(payout_fen) AS PayoutFen
        FROM adjudications
        WHERE region_code = @RegionCode AND business_date >= @From AND business_date <= @To
        GROUP BY kind, category, business_date
        """;

    public Task<IReadOnlyList<SummaryRow>> SummaryAsync(string regionCode, DateOnly from, DateOnly to, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<SummaryRow>)(await c.QueryAsync<SummaryRow>(
            new CommandDefinition(SummarySql, new { RegionCode = regionCode, From = from, To = to }, cancellationToken: t))).AsList(), ct);

    public static string[] Kinds => [Stores.Kinds.Settlement, Stores.Kinds.Reversal, Stores.Kinds.Adjustment];
}

using System.ComponentModel;
using ClaimsService.Data.Reconciliation;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Reconciliation;

public sealed record Totals(long Count, decimal EligibleAmount, decimal Payout)
{
    public static Totals Of(IEnumerable<SummaryRow> rows)
    {
        long count = 0, eligible = 0, payout = 0;
        foreach (var r in rows)
        {
            count += r.Count;
            eligible += r.EligibleAmountFen;
            payout += r.PayoutFen;
        }
        return new Totals(count, Money.FromFen(eligible), Money.FromFen(payout));
    }
}

/// <summary>
/// Adjustments of a period: all together, and top-ups (补付, positive: the insurer pays) and recoveries (追回, negative: it is
/// owed) apart, from reversals and re-adjudication runs alike (api.md "Reconciliation").
/// </summary>
public sealed record AdjustmentsTotals(long Count, decimal EligibleAmount, decimal Payout,
    Readjudication.AdjustmentTotals TopUps, Readjudication.AdjustmentTotals Recoveries)
{
    public static AdjustmentsTotals Of(IReadOnlyCollection<SummaryRow> rows)
    {
        var all = Totals.Of(rows);
        var up = Totals.Of(rows.Where(r => r.Sign > 0));
        var down = Totals.Of(rows.Where(r => r.Sign < 0));
        return new AdjustmentsTotals(all.Count, all.EligibleAmount, all.Payout, new(up.Count, up.Payout), new(down.Count, down.Payout));
    }
}

public sealed record KindTotals(Totals Settlements, Totals Reversals, AdjustmentsTotals Adjustments, Totals Net)
{
    public static KindTotals Of(IReadOnlyCollection<SummaryRow> rows) => new(
        Totals.Of(rows.Where(r => r.Kind == Kinds.Settlement)), Totals.Of(rows.Where(r => r.Kind == Kinds.Reversal)),
        AdjustmentsTotals.Of(rows.Where(r => r.Kind == Kinds.Adjustment).ToList()), Totals.Of(rows));
}

public sealed record CategoryTotals(string Category, KindTotals Totals);

public sealed record DayTotals(DateOnly Date, KindTotals Totals);

/// <summary>
/// The summary of a region and period. <c>net</c> is every adjudication together: its payout is what the fund
/// owes for the period, its count the number of adjudications.
/// </summary>
/// <remarks><c>auditSeal</c> is the latest seal of the audit log when the summary was answered (absent before the first seal), so the
/// insurer holds the digest of the log it reconciled against.</remarks>
public sealed record SummaryResponse(string RegionCode, DateOnly From, DateOnly To, Totals Settlements, Totals Reversals, AdjustmentsTotals Adjustments,
    Totals Net, IReadOnlyList<CategoryTotals> ByCategory, IReadOnlyList<DayTotals> ByDay, Audit.AuditSealRef? AuditSeal = null);

/// <summary>The body of <c>POST /v1/reconciliation/summary-checks</c>: the insurer's own totals of a region and period.</summary>
/// <remarks>Every field is nullable so that a missing one is reported as a field error, not a parse failure.</remarks>
public sealed record SummaryCheckRequest
{
    [Description("The pooling region (6-digit administrative division code); the key must cover it.")]
    public string? RegionCode { get; init; }

    [Description("First business day of the period (China Standard Time, UTC+8), inclusive.")]
    public DateOnly? From { get; init; }

    [Description("Last business day of the period (UTC+8), inclusive; at most 366 days after from.")]
    public DateOnly? To { get; init; }

    [Description("The insurer's number of adjudications (rows) in the period, counted as includeReversed says.")]
    public long? Count { get; init; }

    [Description("The insurer's total payout in CNY, at most two decimals; may be negative when reversals outweigh settlements.")]
    public decimal? Payout { get; init; }

    [Description("""
        Whether reversed settlements count (like the national platform's refund flag). true (default): every adjudication
        of the period is counted, settlements, reversals and adjustments, and the payout is their net sum (the summary's net).
        false: only settlements not reversed by the end of the period and those settlements' adjustments are counted;
        reversals, reversed settlements and the adjustments of reversed settlements are left out. A settlement is reversed
        for the period when a reversal row with the same hospitalCode and settlementId is dated on or before `to`, so
        both figures can be recomputed from the period's statement.
        """)]
    public bool? IncludeReversed { get; init; }
}

/// <summary>A count of adjudications and their payout.</summary>
public sealed record CheckFigures(long Count, decimal Payout);

/// <summary>The answer of a summary check. <c>differences</c> are the insurer's figures minus the service's.</summary>
public sealed record SummaryCheckResponse(
    [property: Description("match when count and payout are both equal, else mismatch.")] string Result,
    string RegionCode, DateOnly From, DateOnly To, bool IncludeReversed,
    [property: Description("The service's figures, counted as includeReversed says.")] CheckFigures Service,
    [property: Description("The figures the insurer sent.")] CheckFigures Insurer,
    [property: Description("Insurer minus service, for count and payout; zero on a match.")] CheckFigures Differences);

/// <summary>One line of a statement (the NDJSON object; the CSV has the same columns in this order).</summary>
public sealed record StatementLineContract(
    string AdjudicationId,
    [property: Description("settlement, reversal or adjustment.")] string Kind,
    string HospitalCode, string SettlementId, string RegionCode,
    [property: Description("The full resident identity number: the statement goes to the contracted insurer, who reconciles per person.")] string InsuredId,
    int PolicyYear, string Category, string ParameterSetId, int ParameterSetVersion,
    [property: Description("CNY; negative on a reversal, zero on an adjustment.")] decimal EligibleAmount,
    [property: Description("CNY; negative on a reversal, either sign on an adjustment.")] decimal Payout,
    [property: Description("Reversal: the settlement it reversed. Adjustment: the reversal that caused it, or the stay's settlement when a re-adjudication run wrote it. Settlement: absent (empty in CSV).")] string? RelatedAdjudicationId,
    DateTime AdjudicatedAt,
    [property: Description("The UTC+8 day of adjudicatedAt: the day the period is counted on.")] DateOnly BusinessDate,
    [property: Description("Adjustment: the re-adjudication run that wrote it (absent, empty in CSV, otherwise).")] string? RunId = null);

/// <summary>The statement's last NDJSON line, <c>{"trailer":{"rows":N,"payout":X}}</c>: a download without it is truncated.</summary>
public sealed record StatementTrailer(long Rows, decimal Payout);

/// <summary>One row of the insurer's upload to a detail check (an NDJSON object, or a CSV row under a header naming these columns).</summary>
public sealed record DetailCheckRow(
    [property: Description("The service's adjudicationId (UUID) as in the statement.")] string AdjudicationId,
    [property: Description("The payout the insurer holds for it, CNY, at most two decimals.")] decimal Payout);

/// <summary>
/// One line of a detail check's answer: a difference (<c>type</c> missing_in_service, missing_in_insurer,
/// amount_mismatch, duplicate_in_insurer, malformed) or, last, <c>{"summary":{…}}</c>.
/// </summary>
public sealed record DetailCheckLine(
    string? Type, string? AdjudicationId, decimal? ServicePayout, decimal? InsurerPayout,
    [property: Description("Line of the upload (1-based, the CSV header is line 1).")] long? Line,
    [property: Description("duplicate_in_insurer: the line the id was first seen on.")] long? FirstLine,
    [property: Description("malformed: why the line could not be read.")] string? Reason,
    DetailCheckSummary? Summary)
{
    [Description("Rows keyed by the national 结算ID: the stay's setlId.")] public string? SetlId { get; init; }
    [Description("Rows keyed by settlement: the stay's hospital.")] public string? HospitalCode { get; init; }
    [Description("Rows keyed by settlement: the hospital's settlement id.")] public string? SettlementId { get; init; }
}

/// <summary>The last line of a detail check's answer.</summary>
public sealed record DetailCheckSummary(
    [property: Description("Well-formed data rows in the upload (duplicates included).")] long InsurerRows,
    [property: Description("Adjudications of the region and period in the service.")] long ServiceRows,
    long Matched, long MissingInService, long MissingInInsurer, long AmountMismatch, long DuplicateInInsurer, long Malformed,
    [property: Description("match when every service row was matched once with the same payout and nothing else was found.")] string Result);

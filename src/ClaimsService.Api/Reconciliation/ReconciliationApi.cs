using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Reconciliation;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

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

public sealed record KindTotals(Totals Settlements, Totals Reversals, Totals Adjustments, Totals Net)
{
    public static KindTotals Of(IReadOnlyCollection<SummaryRow> rows) => new(
        Totals.Of(rows.Where(r => r.Kind == Kinds.Settlement)), Totals.Of(rows.Where(r => r.Kind == Kinds.Reversal)),
        Totals.Of(rows.Where(r => r.Kind == Kinds.Adjustment)), Totals.Of(rows));
}

public sealed record CategoryTotals(string Category, KindTotals Totals);

public sealed record DayTotals(DateOnly Date, KindTotals Totals);

/// <summary>
/// The summary of a region and period. <c>net</c> is every adjudication together: its payout is what the fund
/// owes for the period, its count the number of adjudications.
/// </summary>
public sealed record SummaryResponse(string RegionCode, DateOnly From, DateOnly To, Totals Settlements, Totals Reversals, Totals Adjustments,
    Totals Net, IReadOnlyList<CategoryTotals> ByCategory, IReadOnlyList<DayTotals> ByDay);

/// <summary>Reconciliation for the insurers who underwrite the cover, scoped to their regions.</summary>
public static class ReconciliationApi
{
    public const int MaxPeriodDays = 366;

    public static IEndpointRouteBuilder MapReconciliationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/reconciliation").WithTags("Reconciliation").RequireAuthorization(p => p.RequireRole(Roles.Insurer, Roles.Ops))
            .WithStandardProblems();
        group.MapGet("/summary", Summary).WithName("ReconciliationSummary")
            .WithSummary("Settlements, reversals, adjustments and net of a region over business days (UTC+8), by category and by day.");
        return app;
    }

    public static async Task<Results<Ok<SummaryResponse>, ValidationProblem, ProblemHttpResult>> Summary(
        string? regionCode, DateOnly? from, DateOnly? to, ReconciliationStore store, HttpContext http, CancellationToken ct)
    {
        if (Period(regionCode, from, to) is { } invalid) return invalid;
        if (!Caller.From(http.User).Covers(regionCode!)) return OutOfScope(regionCode!);
        var rows = await store.SummaryAsync(regionCode!, from!.Value, to!.Value, ct);
        var all = KindTotals.Of(rows);
        return TypedResults.Ok(new SummaryResponse(regionCode!, from.Value, to.Value, all.Settlements, all.Reversals, all.Adjustments, all.Net,
            rows.GroupBy(r => r.Category).OrderBy(g => g.Key).Select(g => new CategoryTotals(g.Key, KindTotals.Of(g.ToList()))).ToList(),
            rows.GroupBy(r => r.BusinessDate).OrderBy(g => g.Key).Select(g => new DayTotals(g.Key, KindTotals.Of(g.ToList()))).ToList()));
    }

    /// <summary>Checks a region and an inclusive period of business days.</summary>
    public static ValidationProblem? Period(string? regionCode, DateOnly? from, DateOnly? to)
    {
        var e = new FieldErrors();
        e.RegionCode("regionCode", regionCode);
        e.Required("from", from);
        e.Required("to", to);
        if (from is { } f && to is { } t && (t < f || t.DayNumber - f.DayNumber >= MaxPeriodDays))
            e.Add("to", $"On or after 'from', and at most {MaxPeriodDays} days after it.");
        return e.Any ? Problems.Validation(e.ToDictionary()) : null;
    }

    public static ProblemHttpResult OutOfScope(string regionCode) =>
        Problems.Of(403, "region_out_of_scope", "This key does not cover the region.", $"Region {regionCode} is not among the key's contracted regions.");
}

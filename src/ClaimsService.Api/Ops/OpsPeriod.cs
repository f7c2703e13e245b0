namespace ClaimsService.Api.Ops;

/// <summary>The periods the ops summary adds up: <c>today</c> (default), <c>month</c> (month to date), <c>year</c> (policy year to date).</summary>
public static class OpsPeriod
{
    public const string Today = "today";
    public const string Month = "month";
    public const string Year = "year";

    public static readonly IReadOnlyList<string> All = [Today, Month, Year];

    /// <summary>The period named, lower-case; <c>today</c> when absent; null when it is none of them.</summary>
    public static string? Parse(string? value) =>
        string.IsNullOrEmpty(value) ? Today : All.FirstOrDefault(p => string.Equals(p, value, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The business days of the period up to and including <paramref name="today"/>. Policy years are calendar years
    /// (a stay belongs to the year of its discharge), so the policy year to date starts on 1 January.
    /// </summary>
    public static (DateOnly From, DateOnly To) Range(string period, DateOnly today) => period switch
    {
        Month => (new DateOnly(today.Year, today.Month, 1), today),
        Year => (new DateOnly(today.Year, 1, 1), today),
        _ => (today, today),
    };
}

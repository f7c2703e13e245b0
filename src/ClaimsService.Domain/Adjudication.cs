namespace ClaimsService.Domain;

/// <summary>The person-year's position before a settlement (the ledger row).</summary>
public sealed record YearToDate(decimal EligibleToDate, decimal PaidToDate)
{
    public static readonly YearToDate Empty = new(0m, 0m);
}

/// <summary>The outcome of pricing one settlement.</summary>
public sealed record Pricing(
    PersonCategory Category,
    decimal EligibleAmount,
    decimal EligibleBefore,
    decimal EligibleAfter,
    decimal PaidBefore,
    decimal PaidAfter,
    decimal Payout,
    PayoutEvaluation Evaluation);

/// <summary>
/// Prices a settlement: payout = f(eligible after) − paid before, never below zero
/// (rules.md "What enters the calculation"; 医保发〔2020〕24号 §(五)).
/// </summary>
public static class Adjudicator
{
    public static Pricing Price(ParameterSet set, PersonCategory category, bool referredOutOfRegion, YearToDate before, decimal eligibleAmount)
    {
        var after = before.EligibleToDate + eligibleAmount;
        var evaluation = new PayoutFunction(set, category, referredOutOfRegion).Evaluate(after);
        var payout = Math.Max(0m, evaluation.Total - before.PaidToDate);
        return new Pricing(category, eligibleAmount, before.EligibleToDate, after, before.PaidToDate,
            before.PaidToDate + payout, payout, evaluation);
    }

    /// <summary>
    /// Prices the settlement under each category that applies to the person on the discharge date, plus
    /// <c>general</c>, and keeps the one that pays the most (api.md: "the category that pays the most for
    /// this settlement"). On a tie the registry's category is named, in the order given.
    /// </summary>
    public static Pricing PriceMostFavourable(ParameterSet set, IEnumerable<PersonCategory> categories, bool referredOutOfRegion, YearToDate before, decimal eligibleAmount)
    {
        Pricing? best = null;
        foreach (var category in categories.Append(PersonCategory.General).Distinct())
        {
            var pricing = Price(set, category, referredOutOfRegion, before, eligibleAmount);
            if (best is null || pricing.Payout > best.Payout) best = pricing;
        }
        return best!;
    }
}

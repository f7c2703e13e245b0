namespace ClaimsService.Domain;

/// <summary>The person-year's position before a settlement (the ledger row).</summary>
public sealed record YearToDate(decimal EligibleToDate, decimal PaidToDate)
{
    public static readonly YearToDate Empty = new(0m, 0m);
}

/// <summary>
/// What a stay costs: the in-policy cost (政策范围内费用) and what basic insurance paid on it. The eligible amount
/// (进入大病保险的合规费用) is their difference; the in-policy cost also bounds <see cref="ParameterSet.CombinedRateCap"/>.
/// </summary>
public sealed record StayCosts(decimal InPolicyCost, decimal BasicInsurancePaid)
{
    public decimal EligibleAmount => InPolicyCost - BasicInsurancePaid;

    /// <summary>A stay known only by its eligible amount (basic insurance paid nothing on it).</summary>
    public static StayCosts OfEligible(decimal eligibleAmount) => new(eligibleAmount, 0m);
}

/// <summary>
/// The outcome of pricing one stay. <see cref="Evaluation"/> is the stay's own slice: its deductible, the bands it
/// touches, their sum before any cap (<see cref="PayoutEvaluation.Total"/>), and whether a cap lowered the payout.
/// </summary>
public sealed record Pricing(
    PersonCategory Category,
    decimal EligibleAmount,
    decimal EligibleBefore,
    decimal EligibleAfter,
    decimal PaidBefore,
    decimal PaidAfter,
    decimal Payout,
    PayoutEvaluation Evaluation)
{
    /// <summary>The year-to-date ledger after this stay.</summary>
    public YearToDate Ledger => new(EligibleAfter, PaidAfter);
}

/// <summary>
/// Per-stay pricing (rules.md "What enters the calculation"; 医保发〔2020〕24号 §(五)):
/// payout = max(0, min(F(eligible after) − F(eligible before), cap − paid before)) with F this stay's band function
/// (its set, category and referral flag; bands rounded, then summed; no cap inside), and, where the set has a
/// combinedRateCap r, at most round(r × in-policy cost) − basic insurance paid. Earlier stays are never re-priced.
/// </summary>
public static class Adjudicator
{
    public static Pricing Price(ParameterSet set, PersonCategory category, bool referredOutOfRegion, YearToDate before, decimal eligibleAmount) =>
        Price(set, category, referredOutOfRegion, before, StayCosts.OfEligible(eligibleAmount));

    public static Pricing Price(ParameterSet set, PersonCategory category, bool referredOutOfRegion, YearToDate before, StayCosts costs)
    {
        var function = new PayoutFunction(set, category, referredOutOfRegion);
        var after = before.EligibleToDate + costs.EligibleAmount;
        var slice = function.Slice(before.EligibleToDate, after);
        var bands = slice.Sum(s => s.Amount);
        var payout = bands;
        if (function.Cap is { } cap) payout = Math.Min(payout, cap - before.PaidToDate);
        // "最终实际报销比例不得超过90%": basic insurance plus this payout within r × in-policy cost; not caught up later.
        if (set.CombinedRateCap is { } rate) payout = Math.Min(payout, Money.Round(rate * costs.InPolicyCost) - costs.BasicInsurancePaid);
        payout = Math.Max(0m, payout);
        var evaluation = new PayoutEvaluation(function.Deductible, bands, payout < bands, function.Cap, slice);
        return new Pricing(category, costs.EligibleAmount, before.EligibleToDate, after, before.PaidToDate,
            before.PaidToDate + payout, payout, evaluation);
    }

    public static Pricing PriceMostFavourable(ParameterSet set, IEnumerable<PersonCategory> categories, bool referredOutOfRegion, YearToDate before, decimal eligibleAmount) =>
        PriceMostFavourable(set, categories, referredOutOfRegion, before, StayCosts.OfEligible(eligibleAmount));

    /// <summary>
    /// Prices the stay under each category that applies to the person (its candidates, in the order the registry
    /// recorded them), plus <c>general</c>, and keeps the one that pays the most (api.md "Registry"). On a tie the
    /// registry category recorded first is named, and <c>general</c> only when no registry category ties.
    /// </summary>
    public static Pricing PriceMostFavourable(ParameterSet set, IEnumerable<PersonCategory> categories, bool referredOutOfRegion, YearToDate before, StayCosts costs)
    {
        Pricing? best = null;
        foreach (var category in categories.Append(PersonCategory.General).Distinct())
        {
            var pricing = Price(set, category, referredOutOfRegion, before, costs);
            if (best is null || pricing.Payout > best.Payout) best = pricing;
        }
        return best!;
    }
}

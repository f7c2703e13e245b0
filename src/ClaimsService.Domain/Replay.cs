namespace ClaimsService.Domain;

/// <summary>A settlement as it stands in the person-year, with what it was priced with.</summary>
public sealed record PricedStay(string AdjudicationId, decimal EligibleAmount, ParameterSet Set, PersonCategory Category, bool ReferredOutOfRegion, decimal CurrentPayout);

/// <summary>A settlement re-priced after an earlier one was reversed.</summary>
public sealed record Repricing(PricedStay Stay, Pricing Pricing)
{
    public decimal Difference => Pricing.Payout - Stay.CurrentPayout;
}

/// <summary>
/// Reversal replay: the remaining settlements of a person-year, re-priced afresh in their original order
/// with their own parameter sets and categories. After any sequence of settlements and reversals the
/// ledger equals what settling the remaining stays afresh, in order, would produce (rules.md "Reversals").
/// </summary>
public static class Replay
{
    public static (IReadOnlyList<Repricing> Stays, YearToDate Ledger) Reprice(IEnumerable<PricedStay> remainingInOrder)
    {
        var position = YearToDate.Empty;
        var result = new List<Repricing>();
        foreach (var stay in remainingInOrder)
        {
            var pricing = Adjudicator.Price(stay.Set, stay.Category, stay.ReferredOutOfRegion, position, stay.EligibleAmount);
            result.Add(new Repricing(stay, pricing));
            position = new YearToDate(pricing.EligibleAfter, pricing.PaidAfter);
        }
        return (result, position);
    }
}

using ClaimsService.Domain;

namespace ClaimsService.Api.Parameters;

/// <summary>
/// Whether a parameter set can price every stay: its deductibles and payout function evaluate, for every category it
/// names and general, with and without a referral, at zero, at each band edge and far above the largest amount.
/// </summary>
public static class ParameterSetCheck
{
    /// <summary>Null when the set evaluates; otherwise why not.</summary>
    public static string? Failure(ParameterSet set)
    {
        try
        {
            _ = set.BaseDeductible;
            var points = set.Bands.Select(b => b.From).Append(0m).Append(Money.Max * 1000m).ToArray();
            foreach (var category in set.Categories.Keys.Append(PersonCategory.General))
                foreach (var referred in (bool[])[false, true])
                {
                    var f = new PayoutFunction(set, category, referred);
                    foreach (var point in points) _ = f.Evaluate(point + f.Deductible);
                }
            return null;
        }
        catch (ArithmeticException e)
        {
            return $"The set does not evaluate ({e.GetType().Name}): check the rounding unit, income, ratio and deductibles.";
        }
    }
}

namespace ClaimsService.Domain;

/// <summary>One band applied: the cumulative eligible range [From, To] paid at Rate.</summary>
public sealed record TraceStep(decimal From, decimal To, decimal Rate, decimal Amount);

/// <summary>f(eligible year-to-date) with the trace of every band applied.</summary>
public sealed record PayoutEvaluation(decimal Deductible, decimal Total, bool CapApplied, decimal? Cap, IReadOnlyList<TraceStep> Trace);

/// <summary>
/// The cumulative payout function f of rules.md: the deductible, rate bands and cap of one parameter set
/// and person category, applied to a year-to-date eligible amount (累计计算、分段报销).
/// </summary>
public sealed class PayoutFunction
{
    private readonly ParameterSet _set;
    private readonly decimal[] _rates;

    public PayoutFunction(ParameterSet set, PersonCategory category, bool referredOutOfRegion)
    {
        _set = set;
        Category = category;
        var adjustment = set.AdjustmentFor(category);
        Deductible = DeductibleFor(set, adjustment);
        // capWaived removes the cap, annualCap replaces it, neither inherits the set's (api.md).
        Cap = adjustment switch
        {
            { CapWaived: true } => null,
            { AnnualCap: { } cap } => cap,
            _ => set.AnnualCap,
        };
        var bonus = adjustment?.RateBonus ?? 0m;
        var floor = referredOutOfRegion ? set.ReferralMinRate ?? 0m : 0m;
        // Rates are capped at 100 % (rules.md); a referral minimum lifts every band to at least that rate.
        _rates = set.Bands.Select(b => Math.Min(1m, Math.Max(b.Rate + bonus, floor))).ToArray();
    }

    public PersonCategory Category { get; }
    public decimal Deductible { get; }
    public decimal? Cap { get; }

    /// <summary>
    /// A category's deductible: explicit, or the factor applied to the rounded base deductible and rounded
    /// again the same way (医保发〔2020〕24号 §(五): registered poor "起付线降低一半").
    /// </summary>
    public static decimal DeductibleFor(ParameterSet set, CategoryAdjustment? adjustment)
    {
        var baseDeductible = set.BaseDeductible;
        return adjustment switch
        {
            { Deductible: { } explicitDeductible } => explicitDeductible,
            { DeductibleFactor: { } factor } => Money.RoundTo(baseDeductible * factor, set.DeductibleRounding),
            _ => baseDeductible,
        };
    }

    /// <summary>
    /// f(eligibleToDate): each band's share above the deductible, rounded to 0.01, summed, then clipped
    /// to the cap. Each trace amount is rounded, so the trace adds up to the total exactly unless the cap
    /// clipped it, which <see cref="PayoutEvaluation.CapApplied"/> says.
    /// </summary>
    public PayoutEvaluation Evaluate(decimal eligibleToDate)
    {
        var trace = new List<TraceStep>(_rates.Length);
        var total = 0m;
        var bands = _set.Bands;
        var shift = _set.BandBasis == BandBasis.AboveDeductible ? Deductible : 0m;
        for (var i = 0; i < bands.Count; i++)
        {
            var start = Math.Max(bands[i].From + shift, Deductible);
            var end = i + 1 < bands.Count ? Math.Min(bands[i + 1].From + shift, eligibleToDate) : eligibleToDate;
            if (end <= start) continue;
            var amount = Money.Round((end - start) * _rates[i]);
            trace.Add(new TraceStep(start, end, _rates[i], amount));
            total += amount;
        }
        var capApplied = Cap is { } cap && total > cap;
        return new PayoutEvaluation(Deductible, capApplied ? Cap!.Value : total, capApplied, Cap, trace);
    }
}

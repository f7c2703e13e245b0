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
    /// clipped it, which <see cref="PayoutEvaluation.CapApplied"/> says. This is the year seen under one set and
    /// category; a stay is priced on its own slice by <see cref="Slice"/>.
    /// </summary>
    public PayoutEvaluation Evaluate(decimal eligibleToDate)
    {
        var trace = Bands(eligibleToDate).Where(b => b.To > b.From).ToList();
        var total = trace.Sum(t => t.Amount);
        var capApplied = Cap is { } cap && total > cap;
        return new PayoutEvaluation(Deductible, capApplied ? Cap!.Value : total, capApplied, Cap, trace);
    }

    /// <summary>
    /// F(after) − F(before) band by band, with no cap (rules.md: F_s): for each band the stay touches, F(after)'s
    /// amount of that band minus F(before)'s, over the range [max(start, before), min(end, after)].
    /// </summary>
    public IReadOnlyList<TraceStep> Slice(decimal eligibleBefore, decimal eligibleAfter)
    {
        var before = Bands(eligibleBefore);
        var after = Bands(eligibleAfter);
        var slice = new List<TraceStep>(after.Length);
        for (var i = 0; i < after.Length; i++)
        {
            var from = Math.Max(after[i].From, eligibleBefore);
            if (after[i].To <= from) continue;
            slice.Add(new TraceStep(from, after[i].To, _rates[i], after[i].Amount - before[i].Amount));
        }
        return slice;
    }

    /// <summary>Every band at an eligible year-to-date amount: its paid range (empty when To ≤ From) and rounded amount.</summary>
    private TraceStep[] Bands(decimal eligibleToDate)
    {
        var bands = _set.Bands;
        var result = new TraceStep[bands.Count];
        var shift = _set.BandBasis == BandBasis.AboveDeductible ? Deductible : 0m;
        for (var i = 0; i < bands.Count; i++)
        {
            var start = Math.Max(bands[i].From + shift, Deductible);
            var end = i + 1 < bands.Count ? Math.Min(bands[i + 1].From + shift, eligibleToDate) : eligibleToDate;
            result[i] = new TraceStep(start, end, _rates[i], end <= start ? 0m : Money.Round((end - start) * _rates[i]));
        }
        return result;
    }
}

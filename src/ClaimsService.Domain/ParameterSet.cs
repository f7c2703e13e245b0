namespace ClaimsService.Domain;

public enum BandBasis
{
    /// <summary>Band edges are cumulative eligible amounts; only the part above the deductible is paid.</summary>
    Cumulative,
    /// <summary>Band edges are measured on the cumulative amount minus the deductible.</summary>
    AboveDeductible,
}

public sealed record Band(decimal From, decimal Rate);

/// <summary>
/// A category's tilt. Either <see cref="DeductibleFactor"/> (applied to the rounded base deductible and
/// rounded again) or an explicit <see cref="Deductible"/>; <see cref="RateBonus"/> is added to every band;
/// <see cref="CapWaived"/> removes the cap, <see cref="AnnualCap"/> replaces it.
/// </summary>
public sealed record CategoryAdjustment(
    decimal? DeductibleFactor = null,
    decimal? Deductible = null,
    decimal RateBonus = 0m,
    bool CapWaived = false,
    decimal? AnnualCap = null);

/// <summary>Which date decides a stay's policy year (rules.md; the platform's 跨年度住院标志).</summary>
public enum PolicyYearBy
{
    /// <summary>The common rule: the discharge date.</summary>
    Discharge,
    /// <summary>Cross-year stays join the year of their admission and are priced with the set in force on that date.</summary>
    Admission,
}

/// <summary>
/// The parameters of a pooling region (统筹区) from a date on. Immutable once published: a change is a
/// new version (rules.md "The parameters of a pooling region").
/// </summary>
public sealed record ParameterSet
{
    public required string Id { get; init; }
    public required int Version { get; init; }
    public required string RegionCode { get; init; }
    public required string Name { get; init; }
    public string? PolicyDocument { get; init; }
    public required DateOnly EffectiveFrom { get; init; }
    public decimal? PerCapitaIncome { get; init; }
    public int? IncomeYear { get; init; }
    public decimal DeductibleRatio { get; init; } = 0.5m;
    /// <summary>An announced figure that overrides income × ratio.</summary>
    public decimal? Deductible { get; init; }
    public decimal DeductibleRounding { get; init; } = 0.01m;
    public BandBasis BandBasis { get; init; } = BandBasis.Cumulative;
    public required IReadOnlyList<Band> Bands { get; init; }
    /// <summary>封顶线; null = no cap.</summary>
    public decimal? AnnualCap { get; init; }
    /// <summary>Minimum rate above the deductible for referred treatment outside the region (桂医保发〔2020〕46号 二(二)).</summary>
    public decimal? ReferralMinRate { get; init; }
    public IReadOnlyDictionary<PersonCategory, CategoryAdjustment> Categories { get; init; } =
        new Dictionary<PersonCategory, CategoryAdjustment>();
    /// <summary>Which date decides the policy year of a stay (default: discharge).</summary>
    public PolicyYearBy PolicyYearBy { get; init; } = PolicyYearBy.Discharge;
    /// <summary>
    /// Basic insurance and this payout together never above this share of the stay's in-policy cost
    /// ("最终实际报销比例不得超过90%"); null = no such limit.
    /// </summary>
    public decimal? CombinedRateCap { get; init; }
    public DateTime PublishedAt { get; init; }

    /// <summary>The base deductible: the announced figure, else income × ratio rounded half away from zero.</summary>
    public decimal BaseDeductible =>
        Deductible ?? Money.RoundTo((PerCapitaIncome ?? 0m) * DeductibleRatio, DeductibleRounding);

    public CategoryAdjustment? AdjustmentFor(PersonCategory category) =>
        Categories.TryGetValue(category, out var a) ? a : null;

    /// <summary>Structural checks a set must pass before it is published. Empty when valid.</summary>
    public IEnumerable<(string Field, string Message)> Problems()
    {
        if (Deductible is null && PerCapitaIncome is null)
            yield return ("deductible", "Either deductible or perCapitaIncome is required.");
        if (Bands.Count == 0)
            yield return ("bands", "At least one band is required.");
        else if (Bands[0].From != 0m)
            yield return ("bands", "The first band must start at 0.");
        for (var i = 1; i < Bands.Count; i++)
            if (Bands[i].From <= Bands[i - 1].From)
                yield return ("bands", "Bands must be sorted by strictly increasing 'from'.");
        foreach (var b in Bands)
            if (b.Rate is < 0m or > 1m)
                yield return ("bands", "Band rates are fractions between 0 and 1.");
        if (DeductibleRounding <= 0m)
            yield return ("deductibleRounding", "Must be positive.");
        if (ReferralMinRate is < 0m or > 1m)
            yield return ("referralMinRate", "Must be a fraction between 0 and 1.");
        if (CombinedRateCap is <= 0m or > 1m)
            yield return ("combinedRateCap", "Must be a fraction above 0 and at most 1.");
        foreach (var (category, a) in Categories)
        {
            if (a.DeductibleFactor is not null && a.Deductible is not null)
                yield return ($"categories.{category.ToCode()}", "Give deductibleFactor or deductible, not both.");
            if (a.CapWaived && a.AnnualCap is not null)
                yield return ($"categories.{category.ToCode()}", "Give capWaived or annualCap, not both.");
            if (a.RateBonus is < 0m or > 1m)
                yield return ($"categories.{category.ToCode()}.rateBonus", "Must be a fraction between 0 and 1.");
        }
    }
}

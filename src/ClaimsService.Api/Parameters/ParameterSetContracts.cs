using System.ComponentModel.DataAnnotations;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Domain;

namespace ClaimsService.Api.Parameters;

/// <summary>A rate band: from a cumulative (or above-deductible) amount on, at a rate (0.6 = 60 %).</summary>
public sealed record BandContract
{
    [Required] public decimal? From { get; init; }
    [Required] public decimal? Rate { get; init; }
}

/// <summary>A category's tilt: deductibleFactor or deductible, rateBonus, capWaived or annualCap.</summary>
public sealed record CategoryAdjustmentContract
{
    /// <summary>Applied to the rounded base deductible and rounded again.</summary>
    public decimal? DeductibleFactor { get; init; }
    /// <summary>An explicit deductible for the category.</summary>
    public decimal? Deductible { get; init; }
    /// <summary>Added to every band's rate (rates top out at 1.0).</summary>
    public decimal? RateBonus { get; init; }
    /// <summary>No cap for the category.</summary>
    public bool? CapWaived { get; init; }
    /// <summary>Replaces the set's cap for the category.</summary>
    public decimal? AnnualCap { get; init; }
}

/// <summary>The body of <c>POST /v1/parameter-sets</c> (api.md "Parameter sets").</summary>
public sealed record ParameterSetRequest
{
    [Required] public string? RegionCode { get; init; }
    [Required] public string? Name { get; init; }
    /// <summary>The policy document the figures come from, e.g. 桂医保发〔2020〕46号.</summary>
    public string? PolicyDocument { get; init; }
    [Required] public DateOnly? EffectiveFrom { get; init; }
    /// <summary>上一年度居民人均可支配收入: the basis of the derived deductible.</summary>
    public decimal? PerCapitaIncome { get; init; }
    public int? IncomeYear { get; init; }
    /// <summary>Default 0.5.</summary>
    public decimal? DeductibleRatio { get; init; }
    /// <summary>An announced figure; overrides perCapitaIncome × deductibleRatio.</summary>
    public decimal? Deductible { get; init; }
    /// <summary>The unit the derived deductible is rounded to, half away from zero; default 0.01.</summary>
    public decimal? DeductibleRounding { get; init; }
    /// <summary>cumulative (default) or aboveDeductible.</summary>
    public string? BandBasis { get; init; }
    [Required] public IReadOnlyList<BandContract>? Bands { get; init; }
    /// <summary>封顶线; null or absent = no cap.</summary>
    public decimal? AnnualCap { get; init; }
    /// <summary>Minimum rate above the deductible for treatment referred outside the region.</summary>
    public decimal? ReferralMinRate { get; init; }
    /// <summary>Adjustments by category code.</summary>
    public IReadOnlyDictionary<string, CategoryAdjustmentContract>? Categories { get; init; }
    /// <summary>
    /// discharge (default) or admission: with admission, a stay joins the policy year of its admission date and is priced
    /// with the set in force on that date (cross-year stays, 跨年度住院标志). The set in force on the discharge date decides.
    /// </summary>
    public string? PolicyYearBy { get; init; }
    /// <summary>Basic insurance plus the payout never above this share of the stay's in-policy cost (e.g. 0.9); absent = no limit.</summary>
    public decimal? CombinedRateCap { get; init; }

    public const int MaxBands = 20;
    public static readonly DateOnly EarliestDate = new(2000, 1, 1), LatestDate = new(2100, 12, 31);

    /// <summary>
    /// The domain set this request describes, or the field errors that keep it from being one. Every figure is checked
    /// against its range before anything is stored, and the set must evaluate (<see cref="ParameterSetCheck"/>): a set is
    /// append-only, so one that could not price a stay would break its region for good.
    /// </summary>
    /// <param name="id">The new set's id.</param>
    /// <param name="publishedAt">When it is published.</param>
    /// <param name="catalogue">The catalogued category codes (<c>/v1/categories</c>); null = the built-in ones.</param>
    public (ParameterSet? Set, FieldErrors Errors) ToDomain(string id, DateTime publishedAt, IReadOnlySet<string>? catalogue = null)
    {
        var e = new FieldErrors();
        var region = e.RegionCode("regionCode", RegionCode);
        var name = e.Required("name", Name, 200);
        e.Text("policyDocument", PolicyDocument, 200);
        var from = e.Required("effectiveFrom", EffectiveFrom);
        if (EffectiveFrom is { } f && (f < EarliestDate || f > LatestDate)) e.Add("effectiveFrom", $"Between {EarliestDate:yyyy-MM-dd} and {LatestDate:yyyy-MM-dd}.");
        if (PerCapitaIncome is not null) e.Amount("perCapitaIncome", PerCapitaIncome);
        if (IncomeYear is < 1990 or > 2100) e.Add("incomeYear", "A year between 1990 and 2100.");
        if (Deductible is not null) e.Amount("deductible", Deductible);
        if (DeductibleRounding is not null)
        {
            e.Amount("deductibleRounding", DeductibleRounding);
            if (DeductibleRounding <= 0m) e.Add("deductibleRounding", "A positive amount (0.01, 1, 10, 100 …).");
        }
        if (AnnualCap is not null) e.Amount("annualCap", AnnualCap);
        e.Fraction("deductibleRatio", DeductibleRatio);
        e.Fraction("referralMinRate", ReferralMinRate);
        if (CombinedRateCap is not null) e.Fraction("combinedRateCap", CombinedRateCap, min: 0m);
        if (CombinedRateCap == 0m) e.Add("combinedRateCap", "A fraction above 0 and at most 1.");
        var policyYearBy = PolicyYearBy switch
        {
            null or "discharge" => Domain.PolicyYearBy.Discharge,
            "admission" => Domain.PolicyYearBy.Admission,
            _ => Fail(Domain.PolicyYearBy.Discharge, "policyYearBy", "Either 'discharge' or 'admission'."),
        };
        var basis = BandBasis switch
        {
            null or "cumulative" => Domain.BandBasis.Cumulative,
            "aboveDeductible" => Domain.BandBasis.AboveDeductible,
            _ => Fail(Domain.BandBasis.Cumulative, "bandBasis", "Either 'cumulative' or 'aboveDeductible'."),
        };
        var bands = new List<Band>();
        if (Bands is null) e.Add("bands", "Required.");
        else if (Bands.Count > MaxBands) e.Add("bands", $"At most {MaxBands} bands.");
        else
            for (var i = 0; i < Bands.Count; i++)
            {
                if (Bands[i] is not { } band)
                {
                    e.Add($"bands[{i}]", "Required.");
                    continue;
                }
                var bandFrom = e.Amount($"bands[{i}].from", band.From);
                var rate = e.Required($"bands[{i}].rate", band.Rate);
                e.Fraction($"bands[{i}].rate", band.Rate);
                bands.Add(new Band(bandFrom, rate));
            }
        var categories = new Dictionary<PersonCategory, CategoryAdjustment>();
        foreach (var (code, a) in Categories ?? new Dictionary<string, CategoryAdjustmentContract>())
        {
            var field = $"categories.{(code.Length > 32 ? code[..32] : code)}";
            if (!PersonCategories.TryParseCatalogued(code, catalogue, out var category))
                e.Add(field, $"Unknown category; one of {string.Join(", ", catalogue ?? PersonCategories.AllCodes.ToHashSet())} (see /v1/categories).");
            else if (a is null) e.Add(field, "Required.");
            else
            {
                if (a.Deductible is not null) e.Amount($"{field}.deductible", a.Deductible);
                if (a.AnnualCap is not null) e.Amount($"{field}.annualCap", a.AnnualCap);
                e.Fraction($"{field}.deductibleFactor", a.DeductibleFactor);
                e.Fraction($"{field}.rateBonus", a.RateBonus);
                categories[category] = new CategoryAdjustment(a.DeductibleFactor, a.Deductible, a.RateBonus ?? 0m, a.CapWaived ?? false, a.AnnualCap);
            }
        }
        if (e.Any) return (null, e);

        var set = new ParameterSet
        {
            Id = id, Version = 0, RegionCode = region, Name = name, PolicyDocument = PolicyDocument, EffectiveFrom = from,
            PerCapitaIncome = PerCapitaIncome, IncomeYear = IncomeYear, DeductibleRatio = DeductibleRatio ?? 0.5m,
            Deductible = Deductible, DeductibleRounding = DeductibleRounding ?? 0.01m, BandBasis = basis, Bands = bands,
            AnnualCap = AnnualCap, ReferralMinRate = ReferralMinRate, Categories = categories, PublishedAt = publishedAt,
            PolicyYearBy = policyYearBy, CombinedRateCap = CombinedRateCap,
        };
        foreach (var (field, message) in set.Problems()) e.Add(field, message);
        if (!e.Any && ParameterSetCheck.Failure(set) is { } failure) e.Add("body", failure);
        return e.Any ? (null, e) : (set, e);

        T Fail<T>(T value, string field, string message)
        {
            e.Add(field, message);
            return value;
        }
    }
}

public sealed record ParameterSetResponse(
    string Id, int Version, string RegionCode, string Name, string? PolicyDocument, DateOnly EffectiveFrom, DateTime PublishedAt,
    decimal? PerCapitaIncome, int? IncomeYear, decimal DeductibleRatio, decimal? Deductible, decimal DeductibleRounding,
    decimal EffectiveDeductible, string BandBasis, IReadOnlyList<BandContract> Bands, decimal? AnnualCap, decimal? ReferralMinRate,
    IReadOnlyDictionary<string, CategoryAdjustmentContract> Categories, string PolicyYearBy, decimal? CombinedRateCap)
{
    /// <summary>
    /// Only in the answer to publishing: person-years with settled, not reversed stays discharged on or after effectiveFrom in
    /// the set's region (for a province's set, also in its prefectures that have no set of their own). They change only
    /// through a re-adjudication run.
    /// </summary>
    public int? AffectedPersonYears { get; init; }

    public static ParameterSetResponse From(ParameterSet s) => new(
        s.Id, s.Version, s.RegionCode, s.Name, s.PolicyDocument, s.EffectiveFrom, s.PublishedAt, s.PerCapitaIncome, s.IncomeYear,
        s.DeductibleRatio, s.Deductible, s.DeductibleRounding, s.BaseDeductible,
        s.BandBasis == Domain.BandBasis.Cumulative ? "cumulative" : "aboveDeductible",
        s.Bands.Select(b => new BandContract { From = b.From, Rate = b.Rate }).ToList(), s.AnnualCap, s.ReferralMinRate,
        s.Categories.ToDictionary(kv => kv.Key.ToCode(), kv => new CategoryAdjustmentContract
        {
            DeductibleFactor = kv.Value.DeductibleFactor, Deductible = kv.Value.Deductible, RateBonus = kv.Value.RateBonus,
            CapWaived = kv.Value.CapWaived, AnnualCap = kv.Value.AnnualCap,
        }), s.PolicyYearBy == Domain.PolicyYearBy.Admission ? "admission" : "discharge", s.CombinedRateCap);
}

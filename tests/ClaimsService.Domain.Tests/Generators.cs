using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace ClaimsService.Domain.Tests;

/// <summary>FsCheck generators: CNY amounts with two decimals and random but well-formed parameter sets.</summary>
internal static class Generators
{
    private static readonly PersonCategory[] AllCategories = [.. PersonCategory.BuiltIn];

    /// <summary>0 … 2 000 000.00 with two decimals; half the time under 100 000 where deductibles and band edges sit.</summary>
    public static Gen<decimal> Amount { get; } =
        Gen.OneOf(Gen.Choose(0, 10_000_000), Gen.Choose(0, 200_000_000)).Select(fen => fen / 100m);

    /// <summary>A fraction 0.00 … 1.00.</summary>
    public static Gen<decimal> Rate { get; } = Gen.Choose(0, 100).Select(p => p / 100m);

    public static Gen<PersonCategory> Category { get; } = Gen.Elements(AllCategories);

    public static Gen<bool> Bool { get; } = Gen.Elements(false, true);

    private static Gen<decimal> Between(decimal from, decimal to) =>
        Gen.Choose((int)(from * 100m), (int)(to * 100m)).Select(fen => fen / 100m);

    private static Gen<T?> Maybe<T>(Gen<T> gen) where T : struct =>
        Gen.OneOf(Gen.Constant<T?>(null), gen.Select(v => (T?)v));

    /// <summary>1–4 bands: the first from 0, strictly increasing edges, any rates.</summary>
    private static Gen<Band[]> Bands { get; } =
        from count in Gen.Choose(1, 4)
        from steps in Gen.ArrayOf(Between(0.01m, 200_000m), count - 1)
        from rates in Gen.ArrayOf(Rate, count)
        select rates.Select((rate, i) => new Band(steps.Take(i).Sum(), rate)).ToArray();

    /// <summary>
    /// A random set: either basis, explicit or derived deductible (rounded to 0.01, 1 or 10 — an explicit figure
    /// sits on that grid, as announced figures do), optional cap, optional referral minimum, and random
    /// adjustments for some categories (any factor, explicit deductible, bonus and cap).
    /// </summary>
    public static Gen<ParameterSet> Set { get; } =
        from bands in Bands
        from basis in Gen.Elements(BandBasis.Cumulative, BandBasis.AboveDeductible)
        from unit in Gen.Elements(0.01m, 1m, 10m)
        from explicitDeductible in Maybe(Gen.Choose(0, 5_000).Select(k => k * 10m))
        from income in Between(10_000m, 100_000m)
        from cap in Maybe(Between(10_000m, 1_000_000m))
        from referral in Maybe(Rate)
        from categories in Gen.SubListOf(AllCategories.Where(c => c != PersonCategory.General))
        from adjustments in Gen.ArrayOf(AnyAdjustment, categories.Count)
        select new ParameterSet
        {
            Id = "generated",
            Version = 1,
            RegionCode = "450000",
            Name = "generated",
            EffectiveFrom = new DateOnly(2020, 1, 1),
            PerCapitaIncome = income,
            Deductible = explicitDeductible,
            DeductibleRounding = unit,
            BandBasis = basis,
            Bands = bands,
            AnnualCap = cap,
            ReferralMinRate = referral,
            Categories = categories.Zip(adjustments).ToDictionary(p => p.First, p => p.Second),
        };

    /// <summary>A random set that, half the time, also limits basic insurance plus the payout to a share of the in-policy cost.</summary>
    public static Gen<ParameterSet> SetWithCombinedRateCap { get; } =
        from set in Set
        from cap in Maybe(Gen.Choose(1, 100).Select(p => p / 100m))
        select set with { CombinedRateCap = cap };

    private static Gen<CategoryAdjustment> AnyAdjustment { get; } =
        from deductibleKind in Gen.Choose(0, 2)
        from factor in Between(0m, 1.5m)
        from deductible in Between(0m, 60_000m)
        from bonus in Gen.Choose(0, 20).Select(p => p / 100m)
        from capKind in Gen.Choose(0, 2)
        from cap in Between(1_000m, 1_000_000m)
        select new CategoryAdjustment(
            DeductibleFactor: deductibleKind == 1 ? factor : null,
            Deductible: deductibleKind == 2 ? deductible : null,
            RateBonus: bonus,
            CapWaived: capKind == 1,
            AnnualCap: capKind == 2 ? cap : null);

    /// <summary>
    /// A set whose registered-poor adjustment is favourable: deductible factor ≤ 1 (or an explicit deductible not
    /// above the base), bonus ≥ 0, and the cap waived, inherited or raised.
    /// </summary>
    public static Gen<ParameterSet> SetWithFavourablePoor { get; } =
        from set in Set
        from useFactor in Bool
        from share in Rate
        from bonus in Gen.Choose(0, 20).Select(p => p / 100m)
        from capKind in Gen.Choose(0, 2)
        from raise in Between(0m, 500_000m)
        let poor = new CategoryAdjustment(
            DeductibleFactor: useFactor ? share : null,
            Deductible: useFactor ? null : Math.Floor(set.BaseDeductible * share * 100m) / 100m,
            RateBonus: bonus,
            CapWaived: capKind == 1 || (capKind == 2 && set.AnnualCap is null),
            AnnualCap: capKind == 2 && set.AnnualCap is { } c ? c + raise : null)
        select set with
        {
            Categories = new Dictionary<PersonCategory, CategoryAdjustment>(set.Categories) { [PersonCategory.RegisteredPoor] = poor },
        };

    /// <summary>A readable one-line description for counterexamples.</summary>
    public static string Describe(ParameterSet s)
    {
        var inv = CultureInfo.InvariantCulture;
        var bands = string.Join(", ", s.Bands.Select(b => string.Create(inv, $"{b.From}@{b.Rate}")));
        var cats = string.Join(", ", s.Categories.Select(c => $"{c.Key.ToCode()}: {c.Value}"));
        return string.Create(inv,
            $"{s.BandBasis} D={s.BaseDeductible} (explicit {s.Deductible}, income {s.PerCapitaIncome}, unit {s.DeductibleRounding}) [{bands}] cap={s.AnnualCap} referral={s.ReferralMinRate} {{{cats}}}");
    }
}

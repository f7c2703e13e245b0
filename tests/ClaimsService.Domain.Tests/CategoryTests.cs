namespace ClaimsService.Domain.Tests;

/// <summary>Person categories on the discharge date and the most favourable one (rules.md; api.md "Registry").</summary>
public class CategoryTests
{
    private static readonly DateOnly RegisteredOn = new(2020, 8, 1);

    // The registry: registered poor from 2020-08-01, open-ended.
    private static readonly CategoryEntry[] Registry = [new(PersonCategory.RegisteredPoor, RegisteredOn, null)];

    private static Pricing Settle(ParameterSet set, DateOnly discharge, YearToDate before, decimal eligible, IEnumerable<CategoryEntry> registry) =>
        Adjudicator.PriceMostFavourable(set, Resolution.CategoriesOn(registry, discharge), false, before, eligible);

    [Fact]
    public void CategoryThatStartsMidYearAppliesOnlyToStaysDischargedFromThatDate()
    {
        // Guilin cumulative. Stay 1 (discharged 2020-06-15, general): f_general(30 000) = [12 000–30 000] × 0.6 = 10 800.
        // Stay 2 (discharged 2020-09-10, poor), its own slice 30 000–50 000 at poor rates:
        //   F_poor(50 000) − F_poor(30 000) = (25 900 + 8 000) − 18 900 = [30 000–40 000] × 0.7 + [40 000–50 000] × 0.8 = 15 000.
        var set = Sets.Guilin2020();

        var first = Settle(set, new DateOnly(2020, 6, 15), YearToDate.Empty, 30_000m, Registry);
        var second = Settle(set, new DateOnly(2020, 9, 10), first.Ledger(), 20_000m, Registry);

        Assert.Equal(PersonCategory.General, first.Category);
        Assert.Equal(10_800m, first.Payout);
        Assert.Equal(PersonCategory.RegisteredPoor, second.Category);
        Assert.Equal([new TraceStep(30_000m, 40_000m, 0.70m, 7_000m), new TraceStep(40_000m, 50_000m, 0.80m, 8_000m)], second.Evaluation.Trace);
        Assert.Equal(15_000m, second.Payout);
        Assert.Equal(25_800m, second.PaidAfter);
    }

    [Fact]
    public void CategoryAppliesFromItsFirstDayInclusive()
    {
        Assert.Equal([PersonCategory.RegisteredPoor], Resolution.CategoriesOn(Registry, RegisteredOn));
        Assert.Empty(Resolution.CategoriesOn(Registry, RegisteredOn.AddDays(-1)));
    }

    [Fact]
    public void CategoryAppliesThroughItsLastDayInclusive()
    {
        CategoryEntry[] registry = [new(PersonCategory.Subsistence, new DateOnly(2020, 1, 1), new DateOnly(2020, 6, 30))];

        Assert.Equal([PersonCategory.Subsistence], Resolution.CategoriesOn(registry, new DateOnly(2020, 6, 30)));
        Assert.Empty(Resolution.CategoriesOn(registry, new DateOnly(2020, 7, 1)));
    }

    [Fact]
    public void EveryCategoryInForceOnTheDateIsListedOnce()
    {
        CategoryEntry[] registry =
        [
            new(PersonCategory.RegisteredPoor, new DateOnly(2016, 1, 1), null),
            new(PersonCategory.RegisteredPoor, new DateOnly(2019, 1, 1), null),
            new(PersonCategory.Subsistence, new DateOnly(2020, 1, 1), new DateOnly(2020, 12, 31)),
            new(PersonCategory.Marginal, new DateOnly(2021, 1, 1), null),
        ];

        Assert.Equal([PersonCategory.RegisteredPoor, PersonCategory.Subsistence], Resolution.CategoriesOn(registry, new DateOnly(2020, 5, 1)));
    }

    [Fact]
    public void StayAfterACategoryEndsIsPricedAsGeneralOnItsOwnSlice()
    {
        // Poor until 2020-06-30: stay 1 pays F_poor(50 000) = 33 900. Stay 2 (general), 50 000–60 000:
        // F_general(60 000) − F_general(50 000) = 30 800 − 23 800 = 7 000; stay 1 keeps its 33 900.
        CategoryEntry[] registry = [new(PersonCategory.RegisteredPoor, new DateOnly(2016, 1, 1), new DateOnly(2020, 6, 30))];
        var set = Sets.Guilin2020();

        var first = Settle(set, new DateOnly(2020, 5, 1), YearToDate.Empty, 50_000m, registry);
        var second = Settle(set, new DateOnly(2020, 8, 1), first.Ledger(), 10_000m, registry);

        Assert.Equal(33_900m, first.Payout);
        Assert.Equal(PersonCategory.General, second.Category);
        Assert.Equal(7_000m, second.Payout);
        Assert.Equal(40_900m, second.PaidAfter);
    }

    [Fact]
    public void MostFavourableCategoryIsChosenWhenSeveralApply()
    {
        // Guilin, eligible 50 000. Poverty-monitored (deductible 12 000 × 0.5 = 6 000, +10 pp):
        //   [6 000–40 000] × 0.7 + [40 000–50 000] × 0.8 = 23 800 + 8 000 = 31 800.
        // Registered poor (deductible 3 000, +10 pp): 33 900. General: 23 800.
        var set = Sets.Guilin2020() with
        {
            Categories = new Dictionary<PersonCategory, CategoryAdjustment>
            {
                [PersonCategory.RegisteredPoor] = new(Deductible: 3_000m, RateBonus: 0.10m, CapWaived: true),
                [PersonCategory.PovertyMonitored] = new(DeductibleFactor: 0.5m, RateBonus: 0.10m, CapWaived: true),
            },
        };

        var pricing = Adjudicator.PriceMostFavourable(set, [PersonCategory.PovertyMonitored, PersonCategory.RegisteredPoor], false, YearToDate.Empty, 50_000m);

        Assert.Equal(31_800m, set.PriceAlone(50_000m, PersonCategory.PovertyMonitored).Payout);
        Assert.Equal(PersonCategory.RegisteredPoor, pricing.Category);
        Assert.Equal(33_900m, pricing.Payout);
    }

    [Fact]
    public void GeneralNeverBeatsAFavourableCategory()
    {
        // Guangxi poor at 50 000: 30 917.56 against general 23 001.53.
        var pricing = Adjudicator.PriceMostFavourable(Sets.Guangxi2020(), [PersonCategory.RegisteredPoor], false, YearToDate.Empty, 50_000m);

        Assert.Equal(PersonCategory.RegisteredPoor, pricing.Category);
        Assert.Equal(30_917.56m, pricing.Payout);
    }

    [Fact]
    public void GeneralIsChosenWhenTheRegistryCategoryPaysLess()
    {
        // A marginal household configured with a higher deductible (20 000) would get (50 000 − 20 000) × 0.6 = 18 000;
        // general pays 23 001.53, so general is used and named.
        var set = Sets.Guangxi2020() with
        {
            Categories = Sets.Only(PersonCategory.Marginal, new CategoryAdjustment(Deductible: 20_000m)),
        };

        var pricing = Adjudicator.PriceMostFavourable(set, [PersonCategory.Marginal], false, YearToDate.Empty, 50_000m);

        Assert.Equal(PersonCategory.General, pricing.Category);
        Assert.Equal(23_001.53m, pricing.Payout);
    }

    [Fact]
    public void OnATieTheRegistryCategoryIsNamed()
    {
        // Marginal has no adjustment in Guangxi 2020: it pays exactly what general pays.
        var pricing = Adjudicator.PriceMostFavourable(Sets.Guangxi2020(), [PersonCategory.Marginal], false, YearToDate.Empty, 50_000m);

        Assert.Equal(PersonCategory.Marginal, pricing.Category);
        Assert.Equal(23_001.53m, pricing.Payout);
    }

    [Fact]
    public void WhenNothingIsPayableTheRegistryCategoryIsStillNamed()
    {
        // Below every deductible: all pay 0, a tie.
        var pricing = Adjudicator.PriceMostFavourable(Sets.Guangxi2020(), [PersonCategory.RegisteredPoor], false, YearToDate.Empty, 1_000m);

        Assert.Equal(PersonCategory.RegisteredPoor, pricing.Category);
        Assert.Equal(0m, pricing.Payout);
    }

    [Fact]
    public void OnATieBetweenRegistryCategoriesTheFirstGivenIsNamed()
    {
        // Guangxi treats poverty-monitored households as registered poor (桂医保发〔2020〕46号): identical adjustments.
        var set = Sets.Guangxi2020();

        var a = Adjudicator.PriceMostFavourable(set, [PersonCategory.PovertyMonitored, PersonCategory.RegisteredPoor], false, YearToDate.Empty, 50_000m);
        var b = Adjudicator.PriceMostFavourable(set, [PersonCategory.RegisteredPoor, PersonCategory.PovertyMonitored], false, YearToDate.Empty, 50_000m);

        Assert.Equal(PersonCategory.PovertyMonitored, a.Category);
        Assert.Equal(PersonCategory.RegisteredPoor, b.Category);
        Assert.Equal(a.Payout, b.Payout);
    }

    [Fact]
    public void PersonWithNoRegistryEntryIsGeneral()
    {
        var pricing = Adjudicator.PriceMostFavourable(Sets.Guangxi2020(), [], false, YearToDate.Empty, 50_000m);

        Assert.Equal(PersonCategory.General, pricing.Category);
        Assert.Equal(23_001.53m, pricing.Payout);
    }

    [Fact]
    public void CategoryCodesRoundTrip()
    {
        foreach (var category in PersonCategory.BuiltIn)
            Assert.Equal(category, PersonCategories.Parse(category.ToCode()));
        Assert.Equal(["general", "registered_poor", "poverty_monitored", "marginal", "extreme_poverty", "subsistence"], PersonCategories.AllCodes);
    }

    [Theory]
    [InlineData("Registered_Poor")]
    [InlineData("1poor")]
    [InlineData("relapse-risk")]
    [InlineData("a_code_longer_than_thirty_two_chars")]
    [InlineData("")]
    [InlineData(null)]
    public void MalformedCategoryCodeIsRejected(string? code)
    {
        Assert.False(PersonCategories.TryParse(code, out _));
    }

    [Fact]
    public void ACatalogueCodeIsACategoryLikeTheBuiltInOnes()
    {
        // Categories are data (api.md): 返贫致贫人口 added as relapse_risk is parsed and compared by its code.
        Assert.True(PersonCategories.TryParse("relapse_risk", out var relapse));
        Assert.Equal(PersonCategory.Parse("relapse_risk"), relapse);
        Assert.Same(PersonCategory.RegisteredPoor, PersonCategory.Parse("registered_poor"));
    }

    [Fact]
    public void ACataloguedCategoryIsChosenWhenItIsTheMostFavourable()
    {
        // Guangxi 2020 (deductible 11 664.11, 60 %) with relapse_risk at deductible 0, +20 pp: 50 000 × 0.8 = 40 000,
        // above registered poor's 30 917.56 and general's 23 001.53.
        var relapse = PersonCategory.Parse("relapse_risk");
        var set = Sets.Guangxi2020() with
        {
            Categories = new Dictionary<PersonCategory, CategoryAdjustment>(Sets.Guangxi2020().Categories)
            {
                [relapse] = new(Deductible: 0m, RateBonus: 0.20m),
            },
        };

        var pricing = Adjudicator.PriceMostFavourable(set, [PersonCategory.RegisteredPoor, relapse], false, YearToDate.Empty, 50_000m);

        Assert.Equal(relapse, pricing.Category);
        Assert.Equal(40_000m, pricing.Payout);
    }
}

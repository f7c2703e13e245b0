namespace ClaimsService.Domain.Tests;

/// <summary>The deductible (起付线): rules.md "The parameters of a pooling region"; api.md "Parameter sets".</summary>
public class DeductibleTests
{
    [Fact]
    public void DeductibleIsHalfThePerCapitaIncome()
    {
        // 医保发〔2020〕24号 §(五): 起付线…统一至居民人均可支配收入的一半. National 2019: 30 733 × 50 % = 15 366.50.
        var set = Sets.Basic() with { Deductible = null, PerCapitaIncome = Sets.NationalIncome2019 };

        Assert.Equal(0.5m, set.DeductibleRatio);
        Assert.Equal(15_366.50m, set.BaseDeductible);
        Assert.Equal(15_366.50m, set.F(50_000m).Deductible);
    }

    [Fact]
    public void DeductibleRatioIsData()
    {
        var set = Sets.Basic() with { Deductible = null, PerCapitaIncome = 20_000m, DeductibleRatio = 0.4m };

        Assert.Equal(8_000m, set.BaseDeductible);
    }

    [Theory]
    // Guangxi 2019: 23 328.21 × 0.5 = 11 664.105 → 11 664.11 (banker's rounding would give 11 664.10).
    [InlineData("23328.21", "11664.11")]
    // Yunnan 2019: 22 082.43 × 0.5 = 11 041.215 → 11 041.22.
    [InlineData("22082.43", "11041.22")]
    // Jilin 2019: 24 562.91 × 0.5 = 12 281.455 → 12 281.46.
    [InlineData("24562.91", "12281.46")]
    // Guangxi 2018: 21 485.03 × 0.5 = 10 742.515 → 10 742.52.
    [InlineData("21485.03", "10742.52")]
    public void DerivedDeductibleRoundsHalfAwayFromZero(string income, string expected)
    {
        var set = Sets.Basic() with { Deductible = null, PerCapitaIncome = decimal.Parse(income) };

        Assert.Equal(decimal.Parse(expected), set.BaseDeductible);
    }

    [Fact]
    public void ExplicitDeductibleOverridesIncomeTimesRatio()
    {
        // Guilin announced 12 000 although 50 % of Guangxi's 2019 income is 11 664.11 (rules.md).
        var guilin = Sets.Guilin2020();

        Assert.Equal(Sets.GuangxiIncome2019, guilin.PerCapitaIncome);
        Assert.Equal(12_000m, guilin.BaseDeductible);
        Assert.Equal(12_000m, guilin.F(50_000m).Deductible);
    }

    [Fact]
    public void ExplicitDeductibleIsNotRoundedToTheRoundingUnit()
    {
        // An announced figure is used as announced; the rounding unit applies to the derived figure only.
        var set = Sets.Basic() with { Deductible = 12_345.67m, DeductibleRounding = 10m };

        Assert.Equal(12_345.67m, set.BaseDeductible);
    }

    [Theory]
    // 11 664.105 to 0.01 → 11 664.11; to 1 → 11 664; to 10 → 11 660; to 100 → 11 700.
    [InlineData("0.01", "11664.11")]
    [InlineData("1", "11664")]
    [InlineData("10", "11660")]
    [InlineData("100", "11700")]
    public void DeductibleRoundingUnitRoundsTheDerivedFigure(string unit, string expected)
    {
        var set = Sets.Guangxi2020() with { DeductibleRounding = decimal.Parse(unit) };

        Assert.Equal(decimal.Parse(expected), set.BaseDeductible);
    }

    [Theory]
    // Exactly half a unit goes up: 23 329 × 0.5 = 11 664.5 → 11 665; 23 330 × 0.5 = 11 665 → 11 670.
    [InlineData("23329", "1", "11665")]
    [InlineData("23330", "10", "11670")]
    public void DeductibleRoundingUnitRoundsHalfAwayFromZero(string income, string unit, string expected)
    {
        var set = Sets.Basic() with { Deductible = null, PerCapitaIncome = decimal.Parse(income), DeductibleRounding = decimal.Parse(unit) };

        Assert.Equal(decimal.Parse(expected), set.BaseDeductible);
    }

    [Fact]
    public void CategoryDeductibleFactorAppliesToTheRoundedBaseAndRoundsAgain()
    {
        // Base 11 664.11 × 0.5 = 5 832.055 → 5 832.06; income × 0.25 = 5 832.0525 would give 5 832.05.
        var set = Sets.Guangxi2020();

        var poor = PayoutFunction.DeductibleFor(set, set.AdjustmentFor(PersonCategory.RegisteredPoor));

        Assert.Equal(5_832.06m, poor);
        Assert.NotEqual(Money.Round(Sets.GuangxiIncome2019 * 0.25m), poor);
        Assert.Equal(5_832.06m, set.F(50_000m, PersonCategory.RegisteredPoor).Deductible);
    }

    [Theory]
    // Unit 1: base 11 664 × 0.5 = 5 832. Unit 10: base 11 660 × 0.5 = 5 830.
    [InlineData("1", "5832")]
    [InlineData("10", "5830")]
    public void CategoryDeductibleIsRoundedToTheSetsRoundingUnit(string unit, string expected)
    {
        var set = Sets.Guangxi2020() with { DeductibleRounding = decimal.Parse(unit) };

        Assert.Equal(decimal.Parse(expected), set.F(50_000m, PersonCategory.RegisteredPoor).Deductible);
    }

    [Fact]
    public void CategoryDeductibleFactorRoundsHalfUnitsAwayFromZero()
    {
        // Base 23 330 × 0.5 = 11 665 (unit 1); × 0.5 = 5 832.5 → 5 833.
        var set = Sets.Guangxi2020() with { PerCapitaIncome = 23_330m, DeductibleRounding = 1m };

        Assert.Equal(11_665m, set.BaseDeductible);
        Assert.Equal(5_833m, set.F(0m, PersonCategory.RegisteredPoor).Deductible);
    }

    [Fact]
    public void CategoryDeductibleFactorAppliesToAnExplicitBase()
    {
        var set = Sets.Guilin2020() with
        {
            Categories = Sets.Only(PersonCategory.PovertyMonitored, new CategoryAdjustment(DeductibleFactor: 0.5m)),
        };

        Assert.Equal(6_000m, set.F(0m, PersonCategory.PovertyMonitored).Deductible);
    }

    [Fact]
    public void ExplicitCategoryDeductibleIsUsedAsAnnounced()
    {
        // Guilin: registered poor 3 000, not 12 000 × 0.5.
        var set = Sets.Guilin2020();

        Assert.Equal(3_000m, set.F(50_000m, PersonCategory.RegisteredPoor).Deductible);
        Assert.Equal(12_000m, set.F(50_000m, PersonCategory.General).Deductible);
    }

    [Fact]
    public void CategoryWithoutAdjustmentHasTheBaseDeductible()
    {
        Assert.Equal(11_664.11m, Sets.Guangxi2020().F(0m, PersonCategory.Marginal).Deductible);
    }

    [Fact]
    public void StayBelowTheDeductiblePaysNothing()
    {
        var pricing = Sets.Guangxi2020().PriceAlone(11_664.11m);

        Assert.Equal(0m, pricing.Payout);
        Assert.Empty(pricing.Evaluation.Trace);
    }

    [Fact]
    public void SecondStayInTheSameYearDoesNotPayTheDeductibleAgain()
    {
        // Guangxi general, deductible 11 664.11, 60 %.
        // Stay 1: (20 000 − 11 664.11) × 0.6 = 5 001.534 → 5 001.53.
        // Stay 2: f(40 000) = 28 335.89 × 0.6 = 17 001.534 → 17 001.53; minus 5 001.53 = 12 000.00 = 20 000 × 0.6.
        var pricings = Sets.Guangxi2020().SettleInOrder(PersonCategory.General, 20_000m, 20_000m);

        Assert.Equal(5_001.53m, pricings[0].Payout);
        Assert.Equal(12_000.00m, pricings[1].Payout);
        Assert.Equal(20_000m * 0.6m, pricings[1].Payout);
    }

    [Fact]
    public void StaysBelowTheDeductibleCountTowardsItCumulatively()
    {
        // 10 000 + 10 000: the first pays nothing, the second pays on 20 000 − 11 664.11 = 8 335.89 → 5 001.53.
        var pricings = Sets.Guangxi2020().SettleInOrder(PersonCategory.General, 10_000m, 10_000m);

        Assert.Equal(0m, pricings[0].Payout);
        Assert.Equal(5_001.53m, pricings[1].Payout);
        Assert.Equal(20_000m, pricings[1].EligibleAfter);
    }
}

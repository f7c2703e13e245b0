namespace ClaimsService.Domain.Tests;

/// <summary>The annual cap (封顶线) and how a category waives, replaces or inherits it (api.md "Parameter sets").</summary>
public class CapTests
{
    // Guangxi 2020 with an illustrative general cap of 10 000 (the notice gives none).
    private static ParameterSet GuangxiCapped() => Sets.Guangxi2020() with { AnnualCap = 10_000m };

    [Fact]
    public void CapClipsTheYearTotal()
    {
        // F(50 000) = 23 001.53 (the bands, no cap inside F) > 10 000.
        var pricing = GuangxiCapped().PriceAlone(50_000m);

        Assert.True(pricing.Evaluation.CapApplied);
        Assert.Equal(10_000m, pricing.Evaluation.Cap);
        Assert.Equal(23_001.53m, pricing.Evaluation.Total);
        Assert.Equal(10_000m, pricing.Payout);
    }

    [Fact]
    public void SettlementAfterTheCapIsReachedPaysNothing()
    {
        var pricings = GuangxiCapped().SettleInOrder(PersonCategory.General, 50_000m, 30_000m);

        Assert.Equal(0m, pricings[1].Payout);
        Assert.True(pricings[1].Evaluation.CapApplied);
        Assert.Equal(10_000m, pricings[1].PaidAfter);
        Assert.Equal(80_000m, pricings[1].EligibleAfter);
    }

    [Fact]
    public void SettlementThatCrossesTheCapPaysOnlyUpToIt()
    {
        // Stay 1: (20 000 − 11 664.11) × 0.6 = 5 001.53. Stay 2: f(50 000) = 23 001.53 → cap 10 000; 10 000 − 5 001.53 = 4 998.47.
        var pricings = GuangxiCapped().SettleInOrder(PersonCategory.General, 20_000m, 30_000m);

        Assert.Equal(5_001.53m, pricings[0].Payout);
        Assert.False(pricings[0].Evaluation.CapApplied);
        Assert.Equal(4_998.47m, pricings[1].Payout);
        Assert.Equal(10_000m, pricings.Sum(p => p.Payout));
    }

    [Fact]
    public void ReachingTheCapExactlyPaysInFull()
    {
        var set = Sets.Guangxi2020() with { AnnualCap = 23_001.53m };

        var pricing = set.PriceAlone(50_000m);

        Assert.Equal(23_001.53m, pricing.Payout);
        Assert.False(pricing.Evaluation.CapApplied);
    }

    [Fact]
    public void SetWithoutACapNeverClips()
    {
        // (2 000 000 − 11 664.11) × 0.6 = 1 193 001.534 → 1 193 001.53.
        var pricing = Sets.Guangxi2020().PriceAlone(2_000_000m);

        Assert.Null(pricing.Evaluation.Cap);
        Assert.False(pricing.Evaluation.CapApplied);
        Assert.Equal(1_193_001.53m, pricing.Payout);
    }

    [Fact]
    public void RegisteredPoorHaveNoCapWhenItIsWaived()
    {
        // 桂医保发〔2020〕46号 二(二): 全面取消建档立卡贫困人口大病保险封顶线.
        // Poor: (50 000 − 5 832.06) × 0.7 = 30 917.558 → 30 917.56, above the general cap of 10 000.
        var pricing = GuangxiCapped().PriceAlone(50_000m, PersonCategory.RegisteredPoor);

        Assert.Null(pricing.Evaluation.Cap);
        Assert.False(pricing.Evaluation.CapApplied);
        Assert.Equal(30_917.56m, pricing.Payout);
    }

    /// <summary>
    /// Yunnan 2018 (云财社〔2018〕169号 二(三) with 医保发〔2018〕2号): the poor get a lower deductible, a higher
    /// rate and a *higher* cap, not no cap. The figures are illustrative: deductible from the 2017 income
    /// 18 348.34 × 0.5 = 9 174.17, general 50 % capped at 150 000; poor deductible × 0.5 = 4 587.085 → 4 587.09,
    /// +5 pp, cap 300 000.
    /// </summary>
    private static ParameterSet Yunnan2018() => Sets.Basic() with
    {
        RegionCode = "530000",
        PolicyDocument = "云财社〔2018〕169号",
        EffectiveFrom = new DateOnly(2018, 1, 1),
        Deductible = null,
        PerCapitaIncome = Sets.YunnanIncome2017,
        IncomeYear = 2017,
        Bands = [new Band(0m, 0.50m)],
        AnnualCap = 150_000m,
        Categories = Sets.Only(PersonCategory.RegisteredPoor, new CategoryAdjustment(DeductibleFactor: 0.5m, RateBonus: 0.05m, AnnualCap: 300_000m)),
    };

    [Fact]
    public void CategoryAnnualCapReplacesTheSetsCap()
    {
        // Eligible 400 000. General: (400 000 − 9 174.17) × 0.5 = 195 412.915 → 195 412.92 → clipped to 150 000.
        // Poor: (400 000 − 4 587.09) × 0.55 = 217 477.1005 → 217 477.10, under its own cap of 300 000.
        var set = Yunnan2018();

        var general = set.PriceAlone(400_000m);
        var poor = set.PriceAlone(400_000m, PersonCategory.RegisteredPoor);

        Assert.True(general.Evaluation.CapApplied);
        Assert.Equal(150_000m, general.Payout);
        Assert.Equal(4_587.09m, poor.Evaluation.Deductible);
        Assert.Equal(300_000m, poor.Evaluation.Cap);
        Assert.False(poor.Evaluation.CapApplied);
        Assert.Equal(217_477.10m, poor.Payout);
    }

    [Fact]
    public void HigherCategoryCapStillClips()
    {
        // Poor at 700 000: (700 000 − 4 587.09) × 0.55 = 382 477.1005 → clipped to 300 000: a higher cap, not none.
        var pricing = Yunnan2018().PriceAlone(700_000m, PersonCategory.RegisteredPoor);

        Assert.True(pricing.Evaluation.CapApplied);
        Assert.Equal(300_000m, pricing.Payout);
    }

    [Fact]
    public void CategoryThatNeitherWaivesNorReplacesTheCapInheritsIt()
    {
        // Marginal: +5 pp only. 38 335.89 × 0.65 = 24 918.33 → clipped to the set's 10 000.
        var set = GuangxiCapped() with
        {
            Categories = Sets.Only(PersonCategory.Marginal, new CategoryAdjustment(RateBonus: 0.05m)),
        };

        var pricing = set.PriceAlone(50_000m, PersonCategory.Marginal);

        Assert.Equal(10_000m, pricing.Evaluation.Cap);
        Assert.True(pricing.Evaluation.CapApplied);
        Assert.Equal(10_000m, pricing.Payout);
    }

    [Fact]
    public void CategoryWithoutAdjustmentInheritsTheSetsCap()
    {
        Assert.Equal(10_000m, GuangxiCapped().F(50_000m, PersonCategory.Subsistence).Cap);
    }

    [Fact]
    public void CategoryCapWaiverPaysTheNextStaysOwnSliceAboveTheGeneralCap()
    {
        // General reaches the cap of 10 000 on 50 000; the person then registers as poor (cap waived). Per-stay pricing:
        // F_poor(60 000) − F_poor(50 000) = 37 917.56 − 30 917.56 = 10 000 × 0.7 = 7 000; the earlier stay is not re-priced.
        var set = GuangxiCapped();
        var first = set.PriceAlone(50_000m);

        var second = Adjudicator.Price(set, PersonCategory.RegisteredPoor, false, first.Ledger(), 10_000m);

        Assert.Equal(10_000m, first.Payout);
        Assert.Equal(7_000m, second.Payout);
        Assert.False(second.Evaluation.CapApplied);
    }
}

namespace ClaimsService.Domain.Tests;

/// <summary>Policy year, the set in force (api.md "Parameter sets") and a set that changes mid-year.</summary>
public class ResolutionTests
{
    private static Func<string, IEnumerable<ParameterSet>> Store(params ParameterSet[] sets) =>
        region => sets.Where(s => s.RegionCode == region);

    private static ParameterSet Version(ParameterSet set, int version, DateOnly from) =>
        set with { Version = version, EffectiveFrom = from };

    [Theory]
    [InlineData("2020-12-31", 2020)]
    [InlineData("2021-01-01", 2021)]
    public void PolicyYearIsTheDischargeDatesYear(string discharge, int year)
    {
        // A stay admitted 2020-12-20 and discharged 2021-01-05 belongs to 2021 (rules.md: the discharge date decides).
        Assert.Equal(year, Resolution.PolicyYear(DateOnly.Parse(discharge)));
    }

    [Fact]
    public void SetInForceIsTheOneWithTheLatestEffectiveFromOnOrBeforeTheDate()
    {
        var older = Sets.Guangxi2019();
        var newer = Sets.Guangxi2020();
        var store = Store(newer, older);

        Assert.Same(older, Resolution.SetInForce(store, "450000", new DateOnly(2020, 7, 8)));
        Assert.Same(newer, Resolution.SetInForce(store, "450000", new DateOnly(2020, 7, 9)));
        Assert.Same(newer, Resolution.SetInForce(store, "450000", new DateOnly(2021, 3, 1)));
    }

    [Fact]
    public void CorrectionWithTheSameEffectiveFromSupersedes()
    {
        // Two versions effective the same day: the higher version wins, whatever order the store returns them in.
        var from = new DateOnly(2020, 7, 9);
        var v1 = Version(Sets.Guangxi2020(), 1, from);
        var v2 = Version(Sets.Guangxi2020() with { PerCapitaIncome = 23_328.00m }, 2, from);
        var on = new DateOnly(2020, 10, 1);

        Assert.Same(v2, Resolution.SetInForce(Store(v1, v2), "450000", on));
        Assert.Same(v2, Resolution.SetInForce(Store(v2, v1), "450000", on));
    }

    [Fact]
    public void LaterEffectiveFromBeatsAHigherVersionWithAnEarlierOne()
    {
        // Version 3 back-dated to 2020-01-01 does not displace version 2 effective from 2020-07-09 after that date.
        var v2 = Version(Sets.Guangxi2020(), 2, new DateOnly(2020, 7, 9));
        var v3 = Version(Sets.Guangxi2019(), 3, new DateOnly(2020, 1, 1));
        var store = Store(v2, v3);

        Assert.Same(v2, Resolution.SetInForce(store, "450000", new DateOnly(2020, 8, 1)));
        Assert.Same(v3, Resolution.SetInForce(store, "450000", new DateOnly(2020, 3, 1)));
    }

    [Fact]
    public void RegionWithoutASetUsesItsProvincesSet()
    {
        // 450300 Guilin has no set of its own here: Guangxi's (450000) applies.
        var guangxi = Sets.Guangxi2020();

        Assert.Equal("450000", Resolution.ProvinceOf("450300"));
        Assert.Same(guangxi, Resolution.SetInForce(Store(guangxi), "450300", new DateOnly(2020, 10, 1)));
    }

    [Fact]
    public void RegionsOwnSetBeatsItsProvinces()
    {
        var guilin = Sets.Guilin2020();

        Assert.Same(guilin, Resolution.SetInForce(Store(Sets.Guangxi2020(), guilin), "450300", new DateOnly(2020, 10, 1)));
    }

    [Fact]
    public void BeforeTheRegionsOwnSetTakesEffectTheProvincesApplies()
    {
        // Guilin's set starts 2020-04-01; on 2020-03-01 only the province's 2019 set is in force.
        var guangxi = Sets.Guangxi2019();

        Assert.Same(guangxi, Resolution.SetInForce(Store(guangxi, Sets.Guilin2020()), "450300", new DateOnly(2020, 3, 1)));
    }

    [Fact]
    public void NoSetIsInForceBeforeTheEarliestEffectiveFrom()
    {
        var store = Store(Sets.Guangxi2019(), Sets.Guilin2020());

        Assert.Null(Resolution.SetInForce(store, "450300", new DateOnly(2018, 12, 31)));
        Assert.Null(Resolution.SetInForce(store, "450000", new DateOnly(2018, 12, 31)));
    }

    [Fact]
    public void RegionOfAnotherProvinceDoesNotBorrowASet()
    {
        Assert.Null(Resolution.SetInForce(Store(Sets.Guangxi2020()), "530100", new DateOnly(2020, 10, 1)));
    }

    [Fact]
    public void SetChangingMidYearPricesTheLaterStayAgainstTheYearToDateTotal()
    {
        // Stay 1 discharged 2020-06-20 under the pre-notice set: (30 000 − 10 742.52) × 0.5 = 9 628.74.
        // Stay 2 discharged 2020-08-15 under 桂医保发〔2020〕46号: f_2020(50 000) = 23 001.53; 23 001.53 − 9 628.74 = 13 372.79.
        var store = Store(Sets.Guangxi2019(), Sets.Guangxi2020());
        var first = Adjudicator.Price(Resolution.SetInForce(store, "450300", new DateOnly(2020, 6, 20))!, PersonCategory.General, false, YearToDate.Empty, 30_000m);
        var secondSet = Resolution.SetInForce(store, "450300", new DateOnly(2020, 8, 15))!;
        var second = Adjudicator.Price(secondSet, PersonCategory.General, false, first.Ledger(), 20_000m);

        Assert.Equal(9_628.74m, first.Payout);
        Assert.Equal("guangxi-2020", secondSet.Id);
        Assert.Equal(30_000m, second.EligibleBefore);
        Assert.Equal(13_372.79m, second.Payout);
        Assert.Equal(23_001.53m, second.PaidAfter);
    }

    [Fact]
    public void SetChangingMidYearNeverMakesAPayoutNegative()
    {
        // Stay 1 under Guangxi 2020 pays 23 001.53. A less generous set (deductible 40 000, 50 %) then gives
        // f(60 000) = 20 000 × 0.5 = 10 000, below what was paid: the payout is 0, not −13 001.53.
        var stingy = Sets.Guangxi2020() with { Version = 2, EffectiveFrom = new DateOnly(2020, 9, 1), Deductible = 40_000m, Bands = [new Band(0m, 0.5m)] };
        var first = Sets.Guangxi2020().PriceAlone(50_000m);

        var second = Adjudicator.Price(stingy, PersonCategory.General, false, first.Ledger(), 10_000m);

        Assert.Equal(10_000m, second.Evaluation.Total);
        Assert.Equal(0m, second.Payout);
        Assert.Equal(23_001.53m, second.PaidAfter);
        Assert.Equal(60_000m, second.EligibleAfter);
    }

    [Fact]
    public void PublishedSetsPassTheStructuralChecks()
    {
        Assert.Empty(Sets.Guangxi2020().Problems());
        Assert.Empty(Sets.Guilin2020().Problems());
        Assert.Empty(Sets.National2020().Problems());
    }

    [Fact]
    public void StructuralChecksNameTheBadField()
    {
        var bad = Sets.Basic() with
        {
            Deductible = null,
            Bands = [new Band(10m, 0.6m), new Band(5m, 1.2m)],
            DeductibleRounding = 0m,
            ReferralMinRate = 1.5m,
            Categories = Sets.Only(PersonCategory.RegisteredPoor, new CategoryAdjustment(DeductibleFactor: 0.5m, Deductible: 1m, CapWaived: true, AnnualCap: 1m)),
        };

        var fields = bad.Problems().Select(p => p.Field).ToHashSet();

        Assert.Equal(new HashSet<string> { "deductible", "bands", "deductibleRounding", "referralMinRate", "categories.registered_poor" }, fields);
    }
}

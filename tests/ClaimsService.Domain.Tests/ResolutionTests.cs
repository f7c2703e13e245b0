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
        // Stay 2 discharged 2020-08-15 under 桂医保发〔2020〕46号, its own slice 30 000–50 000 at 60 %:
        // F_2020(50 000) − F_2020(30 000) = 23 001.53 − 11 001.53 = 12 000 (stay 1 is not re-priced at 60 %).
        var store = Store(Sets.Guangxi2019(), Sets.Guangxi2020());
        var first = Adjudicator.Price(Resolution.SetInForce(store, "450300", new DateOnly(2020, 6, 20))!, PersonCategory.General, false, YearToDate.Empty, 30_000m);
        var secondSet = Resolution.SetInForce(store, "450300", new DateOnly(2020, 8, 15))!;
        var second = Adjudicator.Price(secondSet, PersonCategory.General, false, first.Ledger(), 20_000m);

        Assert.Equal(9_628.74m, first.Payout);
        Assert.Equal("guangxi-2020", secondSet.Id);
        Assert.Equal(30_000m, second.EligibleBefore);
        Assert.Equal(12_000m, second.Payout);
        Assert.Equal(21_628.74m, second.PaidAfter);
    }

    [Fact]
    public void LessGenerousSetMidYearPricesOnlyTheLaterStaysSlice()
    {
        // Stay 1 under Guangxi 2020 pays 23 001.53. A less generous set (deductible 40 000, 50 %) prices stay 2's slice
        // 50 000–60 000: F(60 000) − F(50 000) = 10 000 − 5 000 = 5 000. Nothing is clawed back from stay 1.
        var stingy = Sets.Guangxi2020() with { Version = 2, EffectiveFrom = new DateOnly(2020, 9, 1), Deductible = 40_000m, Bands = [new Band(0m, 0.5m)] };
        var first = Sets.Guangxi2020().PriceAlone(50_000m);

        var second = Adjudicator.Price(stingy, PersonCategory.General, false, first.Ledger(), 10_000m);

        Assert.Equal(5_000m, second.Payout);
        Assert.Equal(28_001.53m, second.PaidAfter);
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

    // Cross-year stay: admitted 2020-12-20, discharged 2021-01-05 (the platform's 跨年度住院标志).
    private static readonly DateOnly Admitted = new(2020, 12, 20);
    private static readonly DateOnly Discharged = new(2021, 1, 5);

    private static Placement? Place(params ParameterSet[] sets) =>
        Resolution.Place(date => Resolution.SetInForce(Store(sets), "450000", date), Admitted, Discharged);

    private static ParameterSet Set2020() => Sets.Basic() with { Id = "2020", EffectiveFrom = new DateOnly(2020, 1, 1) };
    private static ParameterSet Set2021(PolicyYearBy by) => Sets.Basic() with { Id = "2021", Version = 2, EffectiveFrom = new DateOnly(2021, 1, 1), PolicyYearBy = by };

    [Fact]
    public void CrossYearStayJoinsTheYearOfItsDischargeByDefault()
    {
        var placement = Place(Set2020(), Set2021(PolicyYearBy.Discharge));

        Assert.Equal("2021", placement!.Set.Id);
        Assert.Equal(2021, placement.PolicyYear);
    }

    [Fact]
    public void WithPolicyYearByAdmissionACrossYearStayJoinsTheYearOfItsAdmissionAtThatDatesSet()
    {
        // The set in force on the discharge date says admission: the stay belongs to 2020 and is priced with the 2020 set.
        var placement = Place(Set2020(), Set2021(PolicyYearBy.Admission));

        Assert.Equal("2020", placement!.Set.Id);
        Assert.Equal(2020, placement.PolicyYear);
    }

    [Fact]
    public void PolicyYearByAdmissionOnlyCountsWhenTheDischargeDatesSetSaysSo()
    {
        // The 2020 set says admission, but the 2021 set (in force on the discharge date) decides: discharge.
        var placement = Place(Set2020() with { PolicyYearBy = PolicyYearBy.Admission }, Set2021(PolicyYearBy.Discharge));

        Assert.Equal(2021, placement!.PolicyYear);
    }

    [Fact]
    public void PolicyYearByAdmissionWithNoSetInForceOnTheAdmissionDateHasNoPlacement()
    {
        Assert.Null(Place(Set2021(PolicyYearBy.Admission)));
    }
}

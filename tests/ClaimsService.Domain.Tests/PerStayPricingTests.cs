namespace ClaimsService.Domain.Tests;

/// <summary>
/// Per-stay pricing (rules.md "What enters the calculation"): each stay is paid F_s(after) − F_s(before) at its own
/// parameters, within its cap and the set's combinedRateCap; earlier stays are never re-priced. The three referral cases
/// are those of the independent audit (issue 10; 桂医保发〔2020〕46号 二(二) ties the minimum to the referred treatment).
/// </summary>
public class PerStayPricingTests
{
    /// <summary>The audit's set: deductible 10 000, 50 % up to 50 000, 70 % above, referral minimum 60 %.</summary>
    private static ParameterSet AuditSet() => Sets.Basic() with
    {
        Bands = [new Band(0m, 0.50m), new Band(50_000m, 0.70m)],
        ReferralMinRate = 0.60m,
    };

    private static decimal[] Settle(ParameterSet set, params (decimal Eligible, bool Referred)[] stays) =>
        Sets.SettleAfresh(stays.Select((s, i) => Sets.Stay($"s{i}", s.Eligible, set, referred: s.Referred))).Payouts();

    [Fact]
    public void ReferredStayAfterALocalOneGetsTheMinimumOnItsOwnCostsOnly()
    {
        // Local 20 000: (20 000 − 10 000) × 0.5 = 5 000. Referred 20 000, 20 000–40 000 at max(50 %, 60 %): 20 000 × 0.6 = 12 000
        // (not 13 000: the local stay is not re-priced at 60 %).
        Assert.Equal([5_000m, 12_000m], Settle(AuditSet(), (20_000m, false), (20_000m, true)));
    }

    [Fact]
    public void LocalStayAfterAReferredOneIsPaidAtTheLocalRate()
    {
        // Referred 20 000: 10 000 × 0.6 = 6 000. Local 20 000, 20 000–40 000 at 50 %: 10 000 (not 9 000).
        Assert.Equal([6_000m, 10_000m], Settle(AuditSet(), (20_000m, true), (20_000m, false)));
    }

    [Fact]
    public void LocalStayInTheUpperBandAfterAReferredOneIsPaidAtThatBandsRate()
    {
        // Referred 60 000: [10 000–50 000] × 0.6 = 24 000 + [50 000–60 000] × 0.7 = 7 000 → 31 000.
        // Local 10 000, 60 000–70 000 at 70 %: 7 000 (not 3 000).
        Assert.Equal([31_000m, 7_000m], Settle(AuditSet(), (60_000m, true), (10_000m, false)));
    }

    [Fact]
    public void TraceOfALaterStayShowsOnlyTheBandsItTouches()
    {
        // Guilin: stay 1 30 000, stay 2 20 000 (30 000–50 000): [30 000–40 000] × 0.6 = 6 000, [40 000–50 000] × 0.7 = 7 000.
        var state = Sets.SettleAfresh([Sets.Stay("1", 30_000m, Sets.Guilin2020()), Sets.Stay("2", 20_000m, Sets.Guilin2020())]);
        var second = Planner.Settle(Sets.SettleAfresh([Sets.Stay("1", 30_000m, Sets.Guilin2020())]), Sets.Stay("2", 20_000m, Sets.Guilin2020()));

        Assert.Equal([10_800m, 13_000m], state.Payouts());
        Assert.Equal([new TraceStep(30_000m, 40_000m, 0.60m, 6_000m), new TraceStep(40_000m, 50_000m, 0.70m, 7_000m)], second.Entries[0].Trace);
    }

    /// <summary>Deductible 10 000, 60 %, basic insurance plus the payout at most 90 % of the in-policy cost.</summary>
    private static ParameterSet NinetyPercent() => Sets.Basic() with { CombinedRateCap = 0.90m };

    [Fact]
    public void CombinedRateCapLimitsBasicInsurancePlusThePayoutToItsShareOfTheInPolicyCost()
    {
        // Stay 1: cost 50 000, basic 30 000, eligible 20 000: 10 000 × 0.6 = 6 000 (limit 45 000 − 30 000 = 15 000: not cut).
        // Stay 2: cost 100 000, basic 85 000, eligible 15 000: bands 15 000 × 0.6 = 9 000; limit round(0.9 × 100 000) − 85 000 = 5 000.
        // Stay 3: cost 10 000, basic 0: 6 000 (limit 9 000); what stay 2 lost is not caught up.
        var set = NinetyPercent();
        var state = Sets.SettleAfresh(
        [
            new AdjudicationCommand.Settle("1", new StayCosts(50_000m, 30_000m), set, [], false),
            new AdjudicationCommand.Settle("2", new StayCosts(100_000m, 85_000m), set, [], false),
            new AdjudicationCommand.Settle("3", new StayCosts(10_000m, 0m), set, [], false),
        ]);

        Assert.Equal([6_000m, 5_000m, 6_000m], state.Payouts());
        Assert.Equal(new YearToDate(45_000m, 17_000m), state.Ledger);
        var second = Adjudicator.Price(set, PersonCategory.General, false, new YearToDate(20_000m, 6_000m), new StayCosts(100_000m, 85_000m));
        Assert.True(second.Evaluation.CapApplied);
        Assert.Equal(9_000m, second.Evaluation.Total);
    }

    [Fact]
    public void CombinedRateCapNeverMakesAPayoutNegative()
    {
        // Basic insurance already paid 95 % of the cost: the limit is 90 000 − 95 000 < 0, so the payout is 0.
        var pricing = Adjudicator.Price(NinetyPercent(), PersonCategory.General, false, new YearToDate(20_000m, 6_000m), new StayCosts(100_000m, 95_000m));

        Assert.Equal(0m, pricing.Payout);
        Assert.True(pricing.Evaluation.CapApplied);
    }

    [Fact]
    public void CombinedRateCapIsAppliedToEachCandidateBeforeTheMostFavourableIsChosen()
    {
        // From 20 000, cost 100 000, basic 90 000, eligible 10 000: extreme poverty 10 000 × 0.6 = 6 000, subsistence 10 000 × 1.0
        // = 10 000; both cut to round(0.95 × 100 000) − 90 000 = 5 000: a tie, so the registry category recorded first is named.
        var set = Sets.Basic() with
        {
            CombinedRateCap = 0.95m,
            Categories = new Dictionary<PersonCategory, CategoryAdjustment>
            {
                [PersonCategory.ExtremePoverty] = new(Deductible: 0m),
                [PersonCategory.Subsistence] = new(Deductible: 5_000m, RateBonus: 0.40m),
            },
        };

        var pricing = Adjudicator.PriceMostFavourable(set, [PersonCategory.ExtremePoverty, PersonCategory.Subsistence], false,
            new YearToDate(20_000m, 6_000m), new StayCosts(100_000m, 90_000m));
        var uncut = Adjudicator.PriceMostFavourable(set with { CombinedRateCap = null }, [PersonCategory.ExtremePoverty, PersonCategory.Subsistence], false,
            new YearToDate(20_000m, 6_000m), new StayCosts(100_000m, 90_000m));

        Assert.Equal(PersonCategory.ExtremePoverty, pricing.Category);
        Assert.Equal(5_000m, pricing.Payout);
        Assert.Equal(PersonCategory.Subsistence, uncut.Category);
        Assert.Equal(10_000m, uncut.Payout);
    }

    [Fact]
    public void CombinedRateCapIsAFractionAboveZeroAndAtMostOne()
    {
        Assert.Contains((Sets.Basic() with { CombinedRateCap = 0m }).Problems(), p => p.Field == "combinedRateCap");
        Assert.Contains((Sets.Basic() with { CombinedRateCap = 1.01m }).Problems(), p => p.Field == "combinedRateCap");
        Assert.Empty((Sets.Basic() with { CombinedRateCap = 1m }).Problems());
    }
}

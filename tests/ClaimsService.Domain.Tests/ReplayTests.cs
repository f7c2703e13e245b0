namespace ClaimsService.Domain.Tests;

/// <summary>
/// Reversal planning (rules.md "Reversals", "Changes after the fact"): the remaining stays are re-priced in order, each
/// with its own set and the most favourable of its candidate categories, and the ledger ends where a fresh settlement of
/// the remaining stays would.
/// </summary>
public class ReplayTests
{
    private static readonly PersonCategory[] Poor = [PersonCategory.RegisteredPoor];

    // Guilin cumulative, general: A 20 000, B 30 000, C 40 000.
    // Fresh: A F(20 000) = 8 000 × 0.6 = 4 800; B F(50 000) − F(20 000) = 23 800 − 4 800 = 19 000;
    // C F(90 000) − F(50 000) = 54 800 − 23 800 = 31 000.
    private static PersonYearState GuilinThreeStays(ParameterSet? set = null)
    {
        set ??= Sets.Guilin2020();
        return Sets.SettleAfresh([Sets.Stay("A", 20_000m, set), Sets.Stay("B", 30_000m, set), Sets.Stay("C", 40_000m, set)]);
    }

    private static AdjudicationPlan Reverse(PersonYearState state, string id) => Planner.Reverse(state, new AdjudicationCommand.Reverse(id));

    private static decimal[] Differences(AdjudicationPlan plan) =>
        plan.Entries.Where(e => e.Kind == EntryKind.Adjustment).Select(e => e.Payout).ToArray();

    [Fact]
    public void FreshSettlementPaysTheCumulativeFigures()
    {
        Assert.Equal([4_800m, 19_000m, 31_000m], GuilinThreeStays().Payouts());
    }

    [Fact]
    public void ReversingTheMiddleStayRepricesTheLaterOneDownwards()
    {
        // Without B: A 4 800 (unchanged); C F(60 000) − F(20 000) = 30 800 − 4 800 = 26 000, a difference of −5 000.
        var plan = Reverse(GuilinThreeStays(), "B");

        Assert.Equal([4_800m, 26_000m], plan.StateAfter.Payouts());
        Assert.Equal([-5_000m], Differences(plan));
        Assert.Equal(-19_000m, plan.Entries[0].Payout);
        Assert.Equal(EntryKind.Reversal, plan.Entries[0].Kind);
        Assert.Equal(new YearToDate(60_000m, 30_800m), plan.LedgerAfter);
    }

    [Fact]
    public void ReversingTheFirstStayMovesTheDeductibleOntoTheNext()
    {
        // Without A: B F(30 000) = 18 000 × 0.6 = 10 800 (−8 200); C F(70 000) − F(30 000) = 38 800 − 10 800 = 28 000 (−3 000).
        var plan = Reverse(GuilinThreeStays(), "A");

        Assert.Equal([10_800m, 28_000m], plan.StateAfter.Payouts());
        Assert.Equal([-8_200m, -3_000m], Differences(plan));
        Assert.Equal(new YearToDate(70_000m, 38_800m), plan.LedgerAfter);
    }

    [Fact]
    public void ReversingTheLastStayChangesNothingBeforeIt()
    {
        var plan = Reverse(GuilinThreeStays(), "C");

        Assert.Single(plan.Entries);
        Assert.Equal(new YearToDate(50_000m, 23_800m), plan.LedgerAfter);
    }

    [Fact]
    public void ReversingAStayFreesRoomUnderTheCap()
    {
        // Cap 30 000; A 50 000 → 23 800; B 30 000 → F(80 000) − F(50 000) = 46 800 − 23 800 = 23 000, capped to 6 200; C 10 000 → 0.
        // Without A: B F(30 000) = 10 800 (+4 600); C F(40 000) − F(30 000) = 16 800 − 10 800 = 6 000 (+6 000).
        var set = Sets.Guilin2020() with { AnnualCap = 30_000m };
        var fresh = Sets.SettleAfresh([Sets.Stay("A", 50_000m, set), Sets.Stay("B", 30_000m, set), Sets.Stay("C", 10_000m, set)]);

        var plan = Reverse(fresh, "A");

        Assert.Equal([23_800m, 6_200m, 0m], fresh.Payouts());
        Assert.Equal([4_600m, 6_000m], Differences(plan));
        Assert.Equal(new YearToDate(40_000m, 16_800m), plan.LedgerAfter);
    }

    [Fact]
    public void ReplayKeepsEachStaysOwnSet()
    {
        // S1 under the pre-notice Guangxi set, general: (30 000 − 10 742.52) × 0.5 = 9 628.74.
        // S2 under Guangxi 2020, registered poor (deductible 5 832.06, 70 %), its own slice 30 000–50 000: 20 000 × 0.7 = 14 000.
        // Without S1, S2 alone: (20 000 − 5 832.06) × 0.7 = 9 917.558 → 9 917.56; difference −4 082.44.
        var fresh = Sets.SettleAfresh([Sets.Stay("S1", 30_000m, Sets.Guangxi2019()), Sets.Stay("S2", 20_000m, Sets.Guangxi2020(), Poor)]);

        var plan = Reverse(fresh, "S1");

        Assert.Equal([9_628.74m, 14_000m], fresh.Payouts());
        var s2 = Assert.Single(plan.Entries, e => e.Kind == EntryKind.Adjustment);
        Assert.Equal(PersonCategory.RegisteredPoor, s2.Category);
        Assert.Equal("guangxi-2020", s2.Set.Id);
        Assert.Equal(5_832.06m, s2.Deductible);
        Assert.Equal(-4_082.44m, s2.Payout);
        Assert.Equal(new YearToDate(20_000m, 9_917.56m), plan.LedgerAfter);
    }

    [Fact]
    public void AfterAReversalTheRepricedStayTakesTheNowMostFavourableCategory()
    {
        // Both in force for the second stay: extreme poverty (deductible 0, 60 %) and subsistence (deductible 5 000, 60 % + 40 pp).
        // Set: deductible 10 000, 60 %. A 20 000 (general): (20 000 − 10 000) × 0.6 = 6 000.
        // B 10 000 from 20 000: extreme poverty 10 000 × 0.6 = 6 000; subsistence 10 000 × 1.0 = 10 000 → subsistence, 10 000.
        // A reversed, B alone from 0: extreme poverty 10 000 × 0.6 = 6 000; subsistence (10 000 − 5 000) × 1.0 = 5 000
        //   → extreme poverty now pays more: B is re-priced to 6 000 (−4 000), not kept at subsistence's 5 000.
        var set = Sets.Basic() with
        {
            Categories = new Dictionary<PersonCategory, CategoryAdjustment>
            {
                [PersonCategory.ExtremePoverty] = new(Deductible: 0m),
                [PersonCategory.Subsistence] = new(Deductible: 5_000m, RateBonus: 0.40m),
            },
        };
        var fresh = Sets.SettleAfresh([Sets.Stay("A", 20_000m, set), Sets.Stay("B", 10_000m, set, [PersonCategory.ExtremePoverty, PersonCategory.Subsistence])]);

        var plan = Reverse(fresh, "A");

        Assert.Equal([6_000m, 10_000m], fresh.Payouts());
        Assert.Equal(PersonCategory.Subsistence, fresh.Stays[1].Category);
        var b = Assert.Single(plan.Entries, e => e.Kind == EntryKind.Adjustment);
        Assert.Equal(PersonCategory.ExtremePoverty, b.Category);
        Assert.Equal(-4_000m, b.Payout);
        Assert.Equal(new YearToDate(10_000m, 6_000m), plan.LedgerAfter);
        // The ledger is what settling B afresh on this service would give.
        Assert.Equal(plan.LedgerAfter, Sets.SettleAfresh([Sets.Stay("B", 10_000m, set, [PersonCategory.ExtremePoverty, PersonCategory.Subsistence])]).Ledger);
    }

    [Fact]
    public void AReversalRepricesTheLaterStayWithinItsCombinedRateCapAgain()
    {
        // Deductible 1 000, 90 %, combinedRateCap 0.8. A: cost 20 000, basic 0: 19 000 × 0.9 = 17 100, at most 16 000 → 16 000.
        // B: cost 50 000, basic 30 000, eligible 20 000: 18 000, at most 40 000 − 30 000 = 10 000 → 10 000.
        // A reversed, B alone: (20 000 − 1 000) × 0.9 = 17 100, still at most 10 000: B stays at 10 000, no adjustment.
        var set = Sets.Basic() with { Deductible = 1_000m, Bands = [new Band(0m, 0.90m)], CombinedRateCap = 0.80m };
        var fresh = Sets.SettleAfresh(
        [
            new AdjudicationCommand.Settle("A", new StayCosts(20_000m, 0m), set, [], false),
            new AdjudicationCommand.Settle("B", new StayCosts(50_000m, 30_000m), set, [], false),
        ]);

        var plan = Reverse(fresh, "A");

        Assert.Equal([16_000m, 10_000m], fresh.Payouts());
        Assert.Equal([10_000m], plan.StateAfter.Payouts());
        Assert.Equal([EntryKind.Reversal], plan.Entries.Select(e => e.Kind));
        Assert.Equal(new YearToDate(20_000m, 10_000m), plan.LedgerAfter);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReversingAnyStayLeavesTheLedgerAFreshSettlementOfTheRestWould(int reversed)
    {
        // Mixed: a set change on 2020-07-09 and a category starting mid-year, so each stay keeps its own parameters.
        AdjudicationCommand.Settle[] all =
        [
            Sets.Stay("1", 8_000m, Sets.Guangxi2019()),
            Sets.Stay("2", 25_000.55m, Sets.Guangxi2019()),
            Sets.Stay("3", 40_000.01m, Sets.Guangxi2020()),
            Sets.Stay("4", 12_345.67m, Sets.Guangxi2020(), Poor),
        ];
        var remaining = all.Where((_, i) => i != reversed).ToArray();

        var plan = Reverse(Sets.SettleAfresh(all), all[reversed].AdjudicationId);
        var fresh = Sets.SettleAfresh(remaining);

        Assert.Equal(fresh.Payouts(), plan.StateAfter.Payouts());
        Assert.Equal(fresh.Ledger, plan.LedgerAfter);
        Assert.Equal(remaining.Sum(s => s.Costs.EligibleAmount), plan.LedgerAfter.EligibleToDate);
    }

    [Fact]
    public void ReversingTheOnlyStayLeavesAnEmptyLedger()
    {
        var plan = Reverse(Sets.SettleAfresh([Sets.Stay("A", 20_000m, Sets.Guilin2020())]), "A");

        Assert.Equal([-4_800m], plan.Entries.Select(e => e.Payout));
        Assert.Empty(plan.StaysAfter);
        Assert.Equal(YearToDate.Empty, plan.LedgerAfter);
    }

    [Fact]
    public void ALedgerThatIsNotTheSumOfItsStaysIsNeverReversedAgainst()
    {
        var state = GuilinThreeStays() with { Ledger = new YearToDate(90_000m, 54_800.01m) };

        Assert.Throws<InvalidOperationException>(() => Reverse(state, "B"));
    }
}

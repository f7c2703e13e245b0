namespace ClaimsService.Domain.Tests;

/// <summary>
/// Reversal replay (rules.md "Reversals"): the remaining stays are re-priced in order, each with its own set and
/// category, and the ledger ends where a fresh settlement of the remaining stays would.
/// </summary>
public class ReplayTests
{
    private sealed record Stay(string Id, decimal Eligible, ParameterSet Set, PersonCategory Category);

    /// <summary>Settles stays afresh, in order, as the service does at settlement time.</summary>
    private static List<PricedStay> SettleAfresh(IEnumerable<Stay> stays)
    {
        var position = YearToDate.Empty;
        var result = new List<PricedStay>();
        foreach (var s in stays)
        {
            var pricing = Adjudicator.Price(s.Set, s.Category, false, position, s.Eligible);
            result.Add(new PricedStay(s.Id, s.Eligible, s.Set, s.Category, false, pricing.Payout));
            position = pricing.Ledger();
        }
        return result;
    }

    private static List<PricedStay> Without(List<PricedStay> stays, string id) => stays.Where(s => s.AdjudicationId != id).ToList();

    // Guilin cumulative, general: A 20 000, B 30 000, C 40 000.
    // Fresh: A f(20 000) = 8 000 × 0.6 = 4 800; B f(50 000) = 23 800 → 19 000; C f(90 000) = 16 800 + 14 000 + 24 000 = 54 800 → 31 000.
    private static List<PricedStay> GuilinThreeStays(ParameterSet? set = null)
    {
        set ??= Sets.Guilin2020();
        return SettleAfresh([new("A", 20_000m, set, PersonCategory.General), new("B", 30_000m, set, PersonCategory.General), new("C", 40_000m, set, PersonCategory.General)]);
    }

    [Fact]
    public void FreshSettlementPaysTheCumulativeFigures()
    {
        Assert.Equal([4_800m, 19_000m, 31_000m], GuilinThreeStays().Select(s => s.CurrentPayout));
    }

    [Fact]
    public void ReversingTheMiddleStayRepricesTheLaterOneDownwards()
    {
        // Without B: A 4 800 (unchanged); C f(60 000) = 16 800 + 14 000 = 30 800 → 26 000, a difference of −5 000.
        var (stays, ledger) = Replay.Reprice(Without(GuilinThreeStays(), "B"));

        Assert.Equal([4_800m, 26_000m], stays.Select(r => r.Pricing.Payout));
        Assert.Equal([0m, -5_000m], stays.Select(r => r.Difference));
        Assert.Equal(new YearToDate(60_000m, 30_800m), ledger);
    }

    [Fact]
    public void ReversingTheFirstStayMovesTheDeductibleOntoTheNext()
    {
        // Without A: B f(30 000) = 18 000 × 0.6 = 10 800 (−8 200); C f(70 000) = 16 800 + 14 000 + 8 000 = 38 800 → 28 000 (−3 000).
        var (stays, ledger) = Replay.Reprice(Without(GuilinThreeStays(), "A"));

        Assert.Equal([10_800m, 28_000m], stays.Select(r => r.Pricing.Payout));
        Assert.Equal([-8_200m, -3_000m], stays.Select(r => r.Difference));
        Assert.Equal(new YearToDate(70_000m, 38_800m), ledger);
    }

    [Fact]
    public void ReversingTheLastStayChangesNothingBeforeIt()
    {
        var (stays, ledger) = Replay.Reprice(Without(GuilinThreeStays(), "C"));

        Assert.All(stays, r => Assert.Equal(0m, r.Difference));
        Assert.Equal(new YearToDate(50_000m, 23_800m), ledger);
    }

    [Fact]
    public void ReversingAStayFreesRoomUnderTheCap()
    {
        // Cap 30 000; A 50 000 → 23 800; B 30 000 → f(80 000) = 46 800 capped 30 000 → 6 200; C 10 000 → 0.
        // Without A: B f(30 000) = 10 800 (+4 600); C f(40 000) = 16 800 → 6 000 (+6 000).
        var set = Sets.Guilin2020() with { AnnualCap = 30_000m };
        var fresh = SettleAfresh([new("A", 50_000m, set, PersonCategory.General), new("B", 30_000m, set, PersonCategory.General), new("C", 10_000m, set, PersonCategory.General)]);

        var (stays, ledger) = Replay.Reprice(Without(fresh, "A"));

        Assert.Equal([23_800m, 6_200m, 0m], fresh.Select(s => s.CurrentPayout));
        Assert.Equal([4_600m, 6_000m], stays.Select(r => r.Difference));
        Assert.Equal(new YearToDate(40_000m, 16_800m), ledger);
    }

    [Fact]
    public void ReplayKeepsEachStaysOwnSetAndCategory()
    {
        // S1 under the pre-notice Guangxi set, general: (30 000 − 10 742.52) × 0.5 = 9 628.74.
        // S2 under Guangxi 2020, registered poor: f_poor(50 000) = 30 917.56 − 9 628.74 = 21 288.82.
        // Without S1, S2 alone: (20 000 − 5 832.06) × 0.7 = 9 917.558 → 9 917.56; difference −11 371.26.
        var fresh = SettleAfresh([new("S1", 30_000m, Sets.Guangxi2019(), PersonCategory.General), new("S2", 20_000m, Sets.Guangxi2020(), PersonCategory.RegisteredPoor)]);

        var (stays, ledger) = Replay.Reprice(Without(fresh, "S1"));

        Assert.Equal([9_628.74m, 21_288.82m], fresh.Select(s => s.CurrentPayout));
        var s2 = Assert.Single(stays);
        Assert.Equal(PersonCategory.RegisteredPoor, s2.Pricing.Category);
        Assert.Equal(5_832.06m, s2.Pricing.Evaluation.Deductible);
        Assert.Equal(9_917.56m, s2.Pricing.Payout);
        Assert.Equal(-11_371.26m, s2.Difference);
        Assert.Equal(new YearToDate(20_000m, 9_917.56m), ledger);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReversingAnyStayLeavesTheLedgerAFreshSettlementOfTheRestWould(int reversed)
    {
        // Mixed: a set change on 2020-07-09 and a category starting mid-year, so each stay keeps its own parameters.
        Stay[] all =
        [
            new("1", 8_000m, Sets.Guangxi2019(), PersonCategory.General),
            new("2", 25_000.55m, Sets.Guangxi2019(), PersonCategory.General),
            new("3", 40_000.01m, Sets.Guangxi2020(), PersonCategory.General),
            new("4", 12_345.67m, Sets.Guangxi2020(), PersonCategory.RegisteredPoor),
        ];
        var remaining = all.Where((_, i) => i != reversed).ToArray();

        var (stays, ledger) = Replay.Reprice(Without(SettleAfresh(all), all[reversed].Id));
        var fresh = SettleAfresh(remaining);

        Assert.Equal(fresh.Select(s => s.CurrentPayout), stays.Select(r => r.Pricing.Payout));
        Assert.Equal(fresh.Sum(s => s.CurrentPayout), ledger.PaidToDate);
        Assert.Equal(remaining.Sum(s => s.Eligible), ledger.EligibleToDate);
        Assert.All(stays, r => Assert.Equal(r.Pricing.Payout - r.Stay.CurrentPayout, r.Difference));
    }

    [Fact]
    public void ReversingTheOnlyStayLeavesAnEmptyLedger()
    {
        var (stays, ledger) = Replay.Reprice([]);

        Assert.Empty(stays);
        Assert.Equal(YearToDate.Empty, ledger);
    }
}

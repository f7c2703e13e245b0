using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClaimsService.Domain.Tests;

/// <summary>
/// Re-adjudication runs (rules.md "Changes after the fact"): a run re-prices the person-year's active stays afresh with
/// what is known now; each difference is an adjustment and the ledger ends where a fresh settlement would.
/// </summary>
public class ReadjudicationTests
{
    private static readonly PersonCategory[] Poor = [PersonCategory.RegisteredPoor];

    private static AdjudicationPlan Run(PersonYearState state, Func<ActiveStay, Repricing> now) =>
        Planner.Plan(state, new AdjudicationCommand.Readjudicate(state.Stays.ToDictionary(s => s.AdjudicationId, now)));

    private static decimal[] Differences(AdjudicationPlan plan) => plan.Entries.Select(e => e.Payout).ToArray();

    [Fact]
    public void BackdatedRateRaiseTopsUpEveryStayByTheDifference()
    {
        // Guangxi at 50 % (D = 10 742.52 on the 2018 income): A 20 000 → 4 628.74, B 30 000 → 15 000.
        // At 60 % from 2020-01-01 (D = 11 664.11 on the 2019 income): A 8 335.89 × 0.6 = 5 001.53; B 18 000.
        var old = Sets.Guangxi2019();
        var raised = Sets.Guangxi2020() with { EffectiveFrom = new DateOnly(2020, 1, 1), Version = 2 };
        var state = Sets.SettleAfresh([Sets.Stay("A", 20_000m, old), Sets.Stay("B", 30_000m, old)]);

        var plan = Run(state, s => new Repricing(raised, s.Candidates));

        Assert.Equal([4_628.74m, 15_000m], state.Payouts());
        Assert.Equal([372.79m, 3_000m], Differences(plan));
        Assert.All(plan.Entries, e => Assert.Equal(EntryKind.Adjustment, e.Kind));
        Assert.Equal(new YearToDate(50_000m, 23_001.53m), plan.LedgerAfter);
        Assert.All(plan.StaysAfter, s => Assert.Same(raised, s.Set));
    }

    [Fact]
    public void LateRegisteredPoorEntryTopsUpAndAnEntryRetractedRecovers()
    {
        // Guilin, one stay of 50 000: general 23 800; registered poor (D 3 000, +10 pp) 37 000 × 0.7 + 10 000 × 0.8 = 33 900.
        var set = Sets.Guilin2020();
        var general = Sets.SettleAfresh([Sets.Stay("A", 50_000m, set)]);
        var poorNow = Run(general, s => new Repricing(set, Poor));
        var poor = poorNow.StateAfter;
        var retracted = Run(poor, s => new Repricing(set, []));

        var topUp = Assert.Single(poorNow.Entries);
        Assert.Equal(PersonCategory.RegisteredPoor, topUp.Category);
        Assert.Equal(10_100m, topUp.Payout);
        Assert.Equal(-10_100m, Assert.Single(retracted.Entries).Payout);
        Assert.Equal(new YearToDate(50_000m, 23_800m), retracted.LedgerAfter);
    }

    [Fact]
    public void SecondRunWithTheSameKnowledgeChangesNothing()
    {
        var old = Sets.Guangxi2019();
        var raised = Sets.Guangxi2020() with { EffectiveFrom = new DateOnly(2020, 1, 1), Version = 2 };
        var first = Run(Sets.SettleAfresh([Sets.Stay("A", 20_000m, old), Sets.Stay("B", 30_000m, old)]), s => new Repricing(raised, s.Candidates));

        var second = Run(first.StateAfter, s => new Repricing(raised, s.Candidates));

        Assert.Empty(second.Entries);
        Assert.Equal(first.LedgerAfter, second.LedgerAfter);
    }

    [Fact]
    public void ReversalAfterARunRepricesLaterStaysWithTheRunsSet()
    {
        // After the raise to 60 %, reversing A re-prices B alone with the raised set: F(30 000) = 18 335.89 × 0.6 = 11 001.53.
        var old = Sets.Guangxi2019();
        var raised = Sets.Guangxi2020() with { EffectiveFrom = new DateOnly(2020, 1, 1), Version = 2 };
        var run = Run(Sets.SettleAfresh([Sets.Stay("A", 20_000m, old), Sets.Stay("B", 30_000m, old)]), s => new Repricing(raised, s.Candidates));

        var reversal = Planner.Reverse(run.StateAfter, new AdjudicationCommand.Reverse("A"));

        Assert.Equal([11_001.53m], reversal.StateAfter.Payouts());
        Assert.Equal(new YearToDate(30_000m, 11_001.53m), reversal.LedgerAfter);
    }

    // ---- Property: random stays, backdated sets and registry changes ----

    private sealed record StayFacts(string Id, DateOnly Discharge, StayCosts Costs, bool Referred);

    private sealed record Scenario(
        StayFacts[] Stays, ParameterSet[] SetsThen, CategoryEntry[] RegistryThen, ParameterSet[] SetsNow, CategoryEntry[] RegistryNow,
        int[] ReversedBefore, int[] ReversedAfter)
    {
        public override string ToString() =>
            $"stays=[{string.Join("; ", Stays.Select(s => $"{s.Id} {s.Discharge:MM-dd} {s.Costs.InPolicyCost}/{s.Costs.BasicInsurancePaid} ref={s.Referred}"))}] " +
            $"setsNow=[{string.Join("; ", SetsNow.Select(s => $"{s.Id} v{s.Version} from {s.EffectiveFrom:MM-dd} {Generators.Describe(s)}"))}] " +
            $"registryNow=[{string.Join("; ", RegistryNow.Select(e => $"{e.Category} {e.ValidFrom:MM-dd}..{e.ValidTo:MM-dd}"))}] " +
            $"reversedBefore=[{string.Join(",", ReversedBefore)}] reversedAfter=[{string.Join(",", ReversedAfter)}]";
    }

    private static readonly DateOnly YearStart = new(2020, 1, 1);

    private static Gen<DateOnly> Day { get; } = Gen.Choose(0, 365).Select(d => YearStart.AddDays(d));

    private static Gen<StayFacts> Stay(int i) =>
        from day in Day
        from eligible in Generators.Amount
        from basic in Gen.Choose(0, 5_000_000).Select(f => f / 100m)
        from referred in Generators.Bool
        select new StayFacts($"S{i}", day, new StayCosts(eligible + basic, basic), referred);

    private static Gen<ParameterSet> SetFrom(string id, Gen<DateOnly> effectiveFrom, int version) =>
        from set in Generators.SetWithCombinedRateCap
        from effective in effectiveFrom
        select set with { Id = id, Version = version, EffectiveFrom = effective };

    private static Gen<CategoryEntry> Entry { get; } =
        from category in Generators.Category
        from start in Day
        from length in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(0, 200).Select(d => (int?)d))
        select new CategoryEntry(category, start, length is { } l ? start.AddDays(l) : null);

    private static Gen<int[]> Indices(int count) => Gen.SubListOf(Enumerable.Range(0, count).ToArray()).Select(l => l.ToArray())
        .SelectMany(l => Gen.Shuffle(l));

    private static readonly Gen<Scenario> ScenarioGen =
        from count in Gen.Choose(1, 6)
        from stays in Gen.CollectToArray(Enumerable.Range(0, count).Select(Stay))
        from first in SetFrom("base", Gen.Constant(YearStart), 1)
        from backdatedCount in Gen.Choose(0, 3)
        from backdated in Gen.CollectToArray(Enumerable.Range(0, backdatedCount).Select(i => SetFrom($"late{i}", Day, 2 + i)))
        from registryThen in Gen.ArrayOf(Entry, 2)
        from changes in Gen.ArrayOf(Entry, 3)
        from keep in Gen.ArrayOf(Generators.Bool, 2)
        from reversedBefore in Indices(count).Select(l => l.Take(1).ToArray())
        from reversedAfter in Indices(count)
        select new Scenario(stays.ToArray(), [first], registryThen,
            [first, .. backdated], [.. registryThen.Where((_, i) => keep[i]), .. changes],
            reversedBefore, reversedAfter.Where(i => !reversedBefore.Contains(i)).ToArray());

    private static Repricing Known(ParameterSet[] sets, CategoryEntry[] registry, StayFacts stay) =>
        new(Resolution.SetInForce(_ => sets, "450300", stay.Discharge)!, Resolution.CategoriesOn(registry, stay.Discharge));

    private static AdjudicationCommand.Settle SettleCommand(StayFacts stay, Repricing known) =>
        new(stay.Id, stay.Costs, known.Set, known.Candidates, stay.Referred);

    /// <summary>What settling these stays afresh, in order, with this knowledge would give.</summary>
    private static PersonYearState Fresh(IEnumerable<StayFacts> stays, ParameterSet[] sets, CategoryEntry[] registry) =>
        Sets.SettleAfresh(stays.Select(s => SettleCommand(s, Known(sets, registry, s))));

    private static PersonYearState RunWithWhatIsKnownNow(PersonYearState state, Scenario s, Dictionary<string, StayFacts> facts) =>
        Planner.Readjudicate(state, new AdjudicationCommand.Readjudicate(
            state.Stays.ToDictionary(a => a.AdjudicationId, a => Known(s.SetsNow, s.RegistryNow, facts[a.AdjudicationId])))).StateAfter;

    private static bool SameAsFresh(PersonYearState state, IEnumerable<StayFacts> active, Scenario s)
    {
        var fresh = Fresh(active, s.SetsNow, s.RegistryNow);
        return state.Ledger == fresh.Ledger && state.Payouts().SequenceEqual(fresh.Payouts())
            && state.Ledger == new YearToDate(state.Stays.Sum(x => x.EligibleAmount), state.Stays.Sum(x => x.CurrentPayout));
    }

    [Property(MaxTest = 300)]
    public Property AfterARunTheLedgerIsAFreshSettlementWithWhatIsKnownNowAndReversalsKeepIt() =>
        Prop.ForAll(Arb.From(ScenarioGen), s =>
        {
            var facts = s.Stays.ToDictionary(f => f.Id);
            // Settled with what was known then, one at a time; perhaps one reversed before the run.
            var state = s.Stays.Aggregate(PersonYearState.Empty,
                (st, f) => Planner.Settle(st, SettleCommand(f, Known(s.SetsThen, s.RegistryThen, f))).StateAfter);
            foreach (var i in s.ReversedBefore) state = Planner.Reverse(state, new AdjudicationCommand.Reverse($"S{i}")).StateAfter;

            state = RunWithWhatIsKnownNow(state, s, facts);
            var active = s.Stays.Where((_, i) => !s.ReversedBefore.Contains(i)).ToList();
            var afterRun = SameAsFresh(state, active, s);

            var again = Planner.Readjudicate(state, new AdjudicationCommand.Readjudicate(
                state.Stays.ToDictionary(a => a.AdjudicationId, a => Known(s.SetsNow, s.RegistryNow, facts[a.AdjudicationId]))));
            var secondChangesNothing = again.Entries.Count == 0 && again.LedgerAfter == state.Ledger;

            var reversalsKeepIt = true;
            foreach (var i in s.ReversedAfter)
            {
                state = Planner.Reverse(state, new AdjudicationCommand.Reverse($"S{i}")).StateAfter;
                active.RemoveAll(f => f.Id == $"S{i}");
                reversalsKeepIt &= SameAsFresh(state, active, s);
            }
            return afterRun.Label("ledger after the run = fresh settlement")
                .And(secondChangesNothing.Label("a second run changes nothing"))
                .And(reversalsKeepIt.Label("reversals after the run keep it"));
        });
}

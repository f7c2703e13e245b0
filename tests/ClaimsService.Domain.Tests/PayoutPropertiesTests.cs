using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClaimsService.Domain.Tests;

/// <summary>Properties of the cumulative payout (rules.md "What enters the calculation") over random sets and stays.</summary>
public class PayoutPropertiesTests
{
    private const int Runs = 500;

    private sealed record Stays(ParameterSet Set, PersonCategory Category, bool Referred, decimal[] Amounts)
    {
        public override string ToString() =>
            $"{Generators.Describe(Set)} {Category.ToCode()} referred={Referred} stays=[{string.Join(", ", Amounts)}]";
    }

    private static readonly Gen<Stays> StaysGen =
        from set in Generators.Set
        from category in Generators.Category
        from referred in Generators.Bool
        from count in Gen.Choose(1, 6)
        from amounts in Gen.ArrayOf(Generators.Amount, count)
        select new Stays(set, category, referred, amounts);

    private static List<Pricing> SettleOneAtATime(Stays s)
    {
        var position = YearToDate.Empty;
        var result = new List<Pricing>();
        foreach (var amount in s.Amounts)
        {
            var pricing = Adjudicator.Price(s.Set, s.Category, s.Referred, position, amount);
            result.Add(pricing);
            position = pricing.Ledger();
        }
        return result;
    }

    [Property(MaxTest = Runs)]
    public Property StaysSettledOneAtATimePayWhatTheSameTotalSettledAtOncePays() =>
        Prop.ForAll(Arb.From(StaysGen), s =>
        {
            var oneAtATime = SettleOneAtATime(s).Sum(p => p.Payout);
            var atOnce = Adjudicator.Price(s.Set, s.Category, s.Referred, YearToDate.Empty, s.Amounts.Sum()).Payout;
            // Capped: what the year under one set and category pays, at most its cap.
            var f = new PayoutFunction(s.Set, s.Category, s.Referred).Evaluate(s.Amounts.Sum()).Total;
            return (oneAtATime == atOnce).Label($"one at a time {oneAtATime}, at once {atOnce}")
                .And((atOnce == f).Label($"at once {atOnce}, f {f}"));
        });

    /// <summary>Each stay may come under a different set and category, so f can fall below what was paid.</summary>
    private sealed record MixedStay(ParameterSet Set, PersonCategory Category, bool Referred, decimal Amount)
    {
        public override string ToString() => $"({Generators.Describe(Set)} {Category.ToCode()} referred={Referred} {Amount})";
    }

    private static readonly Gen<MixedStay[]> MixedStaysGen =
        from count in Gen.Choose(1, 6)
        from stays in Gen.ArrayOf(
            from set in Generators.Set
            from category in Generators.Category
            from referred in Generators.Bool
            from amount in Generators.Amount
            select new MixedStay(set, category, referred, amount), count)
        select stays;

    [Property(MaxTest = Runs)]
    public Property PayoutIsNeverNegative() =>
        Prop.ForAll(Arb.From(MixedStaysGen), stays =>
        {
            var position = YearToDate.Empty;
            foreach (var s in stays)
            {
                var pricing = Adjudicator.Price(s.Set, s.Category, s.Referred, position, s.Amount);
                if (pricing.Payout < 0m || pricing.PaidAfter != position.PaidToDate + pricing.Payout) return false;
                position = pricing.Ledger();
            }
            return true;
        });

    [Property(MaxTest = Runs)]
    public Property PayoutsNeverAddUpToMoreThanTheCap() =>
        Prop.ForAll(Arb.From(StaysGen), s =>
        {
            var cap = new PayoutFunction(s.Set, s.Category, s.Referred).Cap;
            var paid = SettleOneAtATime(s).Sum(p => p.Payout);
            return (cap is null || paid <= cap).Label($"cap {cap}, paid {paid}");
        });

    [Property(MaxTest = Runs)]
    public Property SetCapBoundsEveryCategoryThatInheritsIt() =>
        Prop.ForAll(Arb.From(StaysGen.Select(s => s with { Set = s.Set with { AnnualCap = 50_000m }, Category = PersonCategory.General })), s =>
            SettleOneAtATime(s).Sum(p => p.Payout) <= 50_000m);

    [Property(MaxTest = Runs)]
    public Property FNeverDecreasesAsTheEligibleAmountGrows() =>
        Prop.ForAll(Arb.From(StaysGen), Arb.From(Generators.Amount), (s, more) =>
        {
            var f = new PayoutFunction(s.Set, s.Category, s.Referred);
            var x = s.Amounts[0];
            return f.Evaluate(x).Total <= f.Evaluate(x + more).Total;
        });

    [Property(MaxTest = Runs)]
    public Property TraceAddsUpToTheTotalUnlessClipped() =>
        Prop.ForAll(Arb.From(StaysGen), s =>
        {
            var e = new PayoutFunction(s.Set, s.Category, s.Referred).Evaluate(s.Amounts.Sum());
            return e.CapApplied || e.Trace.Sum(t => t.Amount) == e.Total;
        });

    private sealed record PoorCase(ParameterSet Set, bool Referred, decimal Before, decimal Amount)
    {
        public override string ToString() => $"{Generators.Describe(Set)} referred={Referred} before={Before} amount={Amount}";
    }

    private static readonly Gen<PoorCase> PoorCaseGen =
        from set in Generators.SetWithFavourablePoor
        from referred in Generators.Bool
        from before in Generators.Amount
        from amount in Generators.Amount
        select new PoorCase(set, referred, before, amount);

    /// <summary>
    /// With rates that do not fall from band to band (as every region's do), a favourable tilt never pays less on the
    /// same slice, up to one fen per band: each band is rounded on its own, so two slices of equal width may round apart.
    /// f itself (the whole year under one category) is never below general's.
    /// </summary>
    [Property(MaxTest = Runs)]
    public Property RegisteredPoorNeverGetLessThanGeneral() =>
        Prop.ForAll(Arb.From(PoorCaseGen.Select(c => c with { Set = c.Set with { Bands = Ascending(c.Set.Bands) } })), c =>
        {
            // Same year so far (a general stay of `Before`), then one stay priced both ways with Price directly.
            var before = Adjudicator.Price(c.Set, PersonCategory.General, c.Referred, YearToDate.Empty, c.Before).Ledger();
            var poor = Adjudicator.Price(c.Set, PersonCategory.RegisteredPoor, c.Referred, before, c.Amount);
            var general = Adjudicator.Price(c.Set, PersonCategory.General, c.Referred, before, c.Amount);
            var fPoor = new PayoutFunction(c.Set, PersonCategory.RegisteredPoor, c.Referred).Evaluate(c.Before + c.Amount).Total;
            var fGeneral = new PayoutFunction(c.Set, PersonCategory.General, c.Referred).Evaluate(c.Before + c.Amount).Total;
            var tolerance = 0.01m * c.Set.Bands.Count;
            return (poor.Payout >= general.Payout - tolerance).Label($"payout poor {poor.Payout} < general {general.Payout}")
                .And((fPoor >= fGeneral).Label($"f poor {fPoor} < general {fGeneral}"));
        });

    private static Band[] Ascending(IReadOnlyList<Band> bands)
    {
        var rates = bands.Select(b => b.Rate).Order().ToArray();
        return bands.Select((b, i) => b with { Rate = rates[i] }).ToArray();
    }

    [Property(MaxTest = Runs)]
    public Property MostFavourablePaysTheBestPriceAndNamesTheRegistryCategoryOnATie() =>
        Prop.ForAll(Arb.From(PoorCaseGen), c =>
        {
            var before = Adjudicator.Price(c.Set, PersonCategory.General, c.Referred, YearToDate.Empty, c.Before).Ledger();
            var best = Adjudicator.PriceMostFavourable(c.Set, [PersonCategory.RegisteredPoor], c.Referred, before, c.Amount);
            var poor = Adjudicator.Price(c.Set, PersonCategory.RegisteredPoor, c.Referred, before, c.Amount);
            var general = Adjudicator.Price(c.Set, PersonCategory.General, c.Referred, before, c.Amount);
            return best.Payout == Math.Max(poor.Payout, general.Payout)
                && best.Category == (poor.Payout >= general.Payout ? PersonCategory.RegisteredPoor : PersonCategory.General);
        });

    private sealed record ReferralCase(ParameterSet Set, decimal[] Local, decimal Referred)
    {
        public override string ToString() => $"{Generators.Describe(Set)} local=[{string.Join(", ", Local)}] referred={Referred}";
    }

    private static readonly Gen<ReferralCase> ReferralCaseGen =
        from set in Generators.Set
        from floor in Generators.Rate
        from count in Gen.Choose(0, 4)
        from local in Gen.ArrayOf(Generators.Amount, count)
        from referred in Generators.Amount
        select new ReferralCase(set with { ReferralMinRate = floor }, local, referred);

    /// <summary>
    /// 桂医保发〔2020〕46号 二(二) ties the minimum to the referred treatment itself: the referred stay is paid its own slice
    /// at the lifted rates, computed here from a copy of the set whose bands carry those rates, and no earlier payout moves.
    /// </summary>
    [Property(MaxTest = Runs)]
    public Property AReferredStayIsPaidItsOwnSliceAtReferralRatesAndNoEarlierPayoutMoves() =>
        Prop.ForAll(Arb.From(ReferralCaseGen), c =>
        {
            var locals = Sets.SettleAfresh(c.Local.Select((a, i) => Sets.Stay($"L{i}", a, c.Set)));
            var plan = Planner.Settle(locals, Sets.Stay("R", c.Referred, c.Set, referred: true));

            var lifted = c.Set with
            {
                Bands = c.Set.Bands.Select(b => b with { Rate = Math.Max(b.Rate, c.Set.ReferralMinRate!.Value) }).ToArray(),
                ReferralMinRate = null, AnnualCap = null,
            };
            var before = locals.Ledger;
            var slice = lifted.F(before.EligibleToDate + c.Referred).Total - lifted.F(before.EligibleToDate).Total;
            var room = c.Set.AnnualCap is { } cap ? cap - before.PaidToDate : decimal.MaxValue;
            var expected = Math.Max(0m, Math.Min(slice, room));

            var referred = plan.StaysAfter[^1];
            return (referred.CurrentPayout == expected).Label($"referred {referred.CurrentPayout}, expected {expected}")
                .And(plan.StaysAfter.Take(c.Local.Length).Select(s => s.CurrentPayout).SequenceEqual(locals.Payouts()).Label("earlier payouts"))
                .And((plan.LedgerAfter.PaidToDate == before.PaidToDate + expected).Label("ledger"));
        });

    /// <summary>A random history: settlements of stays with their own set, candidates, referral flag and costs, and reversals.</summary>
    private sealed record Step(AdjudicationCommand.Settle? Settle, int Reverse)
    {
        public override string ToString() => Settle is { } s
            ? $"settle {s.AdjudicationId} {Generators.Describe(s.Set)} combined={s.Set.CombinedRateCap} [{PersonCategories.Join(s.Candidates)}] referred={s.ReferredOutOfRegion} {s.Costs}"
            : $"reverse active #{Reverse}";
    }

    private static readonly Gen<Step> StepGen =
        Gen.Frequency(
            (3, from set in Generators.SetWithCombinedRateCap
                from candidates in Gen.SubListOf(PersonCategory.BuiltIn.Where(c => c != PersonCategory.General).ToArray())
                from order in Gen.Shuffle(candidates.ToArray())
                from referred in Generators.Bool
                from cost in Generators.Amount
                from basicShare in Generators.Rate
                from id in Gen.Choose(0, int.MaxValue)
                select new Step(new AdjudicationCommand.Settle($"s{id}", new StayCosts(cost, Money.Round(cost * basicShare)), set, order, referred), 0)),
            (1, from index in Gen.Choose(0, 5) select new Step(null, index)));

    [Property(MaxTest = Runs)]
    public Property AfterAnySettlementsAndReversalsTheLedgerIsAFreshSettlementOfTheRemainingStays() =>
        Prop.ForAll(Arb.From(Gen.ListOf(StepGen).Select(l => l.ToArray())), steps =>
        {
            var state = PersonYearState.Empty;
            var settled = new List<AdjudicationCommand.Settle>();
            foreach (var (step, n) in steps.Select((s, n) => (s, n)))
            {
                if (step.Settle is { } s)
                {
                    var command = s with { AdjudicationId = $"{n}-{s.AdjudicationId}" };
                    state = Planner.Settle(state, command).StateAfter;
                    settled.Add(command);
                }
                else if (state.Stays.Count > 0)
                {
                    var target = state.Stays[step.Reverse % state.Stays.Count].AdjudicationId;
                    var plan = Planner.Reverse(state, new AdjudicationCommand.Reverse(target));
                    var paidMoved = plan.Entries.Sum(e => e.Payout);
                    if (plan.LedgerAfter.PaidToDate != state.Ledger.PaidToDate + paidMoved) return false.Label("entries do not add up to the ledger");
                    state = plan.StateAfter;
                    settled.RemoveAll(c => c.AdjudicationId == target);
                }
            }
            var fresh = Sets.SettleAfresh(settled);
            return (state.Ledger == fresh.Ledger).Label($"ledger {state.Ledger}, fresh {fresh.Ledger}")
                .And(state.Payouts().SequenceEqual(fresh.Payouts()).Label("payouts"))
                .And(state.Stays.Select(s => s.Category).SequenceEqual(fresh.Stays.Select(s => s.Category)).Label("categories"));
        });
}

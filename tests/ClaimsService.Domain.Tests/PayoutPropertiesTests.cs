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
            return oneAtATime == atOnce;
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

    [Property(MaxTest = Runs)]
    public Property RegisteredPoorNeverGetLessThanGeneral() =>
        Prop.ForAll(Arb.From(PoorCaseGen), c =>
        {
            // Same year so far (a general stay of `Before`), then one stay priced both ways with Price directly.
            var before = Adjudicator.Price(c.Set, PersonCategory.General, c.Referred, YearToDate.Empty, c.Before).Ledger();
            var poor = Adjudicator.Price(c.Set, PersonCategory.RegisteredPoor, c.Referred, before, c.Amount);
            var general = Adjudicator.Price(c.Set, PersonCategory.General, c.Referred, before, c.Amount);
            var fPoor = new PayoutFunction(c.Set, PersonCategory.RegisteredPoor, c.Referred).Evaluate(c.Before + c.Amount).Total;
            var fGeneral = new PayoutFunction(c.Set, PersonCategory.General, c.Referred).Evaluate(c.Before + c.Amount).Total;
            return (poor.Payout >= general.Payout).Label($"payout poor {poor.Payout} < general {general.Payout}")
                .And((fPoor >= fGeneral).Label($"f poor {fPoor} < general {fGeneral}"));
        });

    [Property(MaxTest = Runs)]
    public Property MostFavourableNamesTheFavourableCategoryAndPaysItsPrice() =>
        Prop.ForAll(Arb.From(PoorCaseGen), c =>
        {
            var before = Adjudicator.Price(c.Set, PersonCategory.General, c.Referred, YearToDate.Empty, c.Before).Ledger();
            var best = Adjudicator.PriceMostFavourable(c.Set, [PersonCategory.RegisteredPoor], c.Referred, before, c.Amount);
            var poor = Adjudicator.Price(c.Set, PersonCategory.RegisteredPoor, c.Referred, before, c.Amount);
            return best.Category == PersonCategory.RegisteredPoor && best.Payout == poor.Payout;
        });

    private sealed record ReplayCase(MixedStay[] Stays, int Reversed)
    {
        public override string ToString() => $"reverse #{Reversed} of [{string.Join(", ", (object[])Stays)}]";
    }

    private static readonly Gen<ReplayCase> ReplayCaseGen =
        from stays in MixedStaysGen
        from reversed in Gen.Choose(0, stays.Length - 1)
        select new ReplayCase(stays, reversed);

    private static List<PricedStay> SettleAfresh(IEnumerable<MixedStay> stays)
    {
        var position = YearToDate.Empty;
        var result = new List<PricedStay>();
        foreach (var (s, i) in stays.Select((s, i) => (s, i)))
        {
            var pricing = Adjudicator.Price(s.Set, s.Category, s.Referred, position, s.Amount);
            result.Add(new PricedStay($"stay-{i}", s.Amount, s.Set, s.Category, s.Referred, pricing.Payout));
            position = pricing.Ledger();
        }
        return result;
    }

    [Property(MaxTest = Runs)]
    public Property ReplayedLedgerPaysTheSumOfFreshPayoutsOfTheRemainingStays() =>
        Prop.ForAll(Arb.From(ReplayCaseGen), c =>
        {
            var settled = SettleAfresh(c.Stays);
            var remaining = settled.Where((_, i) => i != c.Reversed).ToList();
            var (repriced, ledger) = Replay.Reprice(remaining);
            var fresh = SettleAfresh(c.Stays.Where((_, i) => i != c.Reversed));

            return (ledger.PaidToDate == fresh.Sum(s => s.CurrentPayout)).Label("paid")
                .And((ledger.EligibleToDate == remaining.Sum(s => s.EligibleAmount)).Label("eligible"))
                .And(repriced.Select(r => r.Pricing.Payout).SequenceEqual(fresh.Select(s => s.CurrentPayout)).Label("payouts"))
                .And(repriced.All(r => r.Difference == r.Pricing.Payout - r.Stay.CurrentPayout).Label("differences"));
        });
}

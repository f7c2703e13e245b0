namespace ClaimsService.Domain;

/// <summary>
/// A stay in force in its person-year, with what it was priced with: its set, its candidate categories (those that
/// applied when it was settled, in the order the registry recorded them), its referral flag and costs, and what it
/// has been paid so far (its payout plus adjustments) under <see cref="Category"/>.
/// </summary>
public sealed record ActiveStay(
    string AdjudicationId, StayCosts Costs, ParameterSet Set, IReadOnlyList<PersonCategory> Candidates, bool ReferredOutOfRegion,
    PersonCategory Category, decimal CurrentPayout)
{
    public decimal EligibleAmount => Costs.EligibleAmount;
}

/// <summary>A person-year as the planner sees it: the ledger row and its active stays in their original order.</summary>
public sealed record PersonYearState(YearToDate Ledger, IReadOnlyList<ActiveStay> Stays)
{
    public static readonly PersonYearState Empty = new(YearToDate.Empty, []);
}

/// <summary>What may be done to a person-year: settle, reverse, re-adjudicate (Readjudication.cs).</summary>
public abstract partial record AdjudicationCommand
{
    /// <summary>Settle a new stay; <paramref name="AdjudicationId"/> is the id its row will carry.</summary>
    public sealed record Settle(string AdjudicationId, StayCosts Costs, ParameterSet Set, IReadOnlyList<PersonCategory> Candidates,
        bool ReferredOutOfRegion) : AdjudicationCommand;

    /// <summary>Take an active stay out of its person-year (national platform 2208/2305).</summary>
    public sealed record Reverse(string AdjudicationId) : AdjudicationCommand;
}

public enum EntryKind { Settlement, Reversal, Adjustment }

/// <summary>
/// One row to append: a settlement, a reversal (negative payout and eligible amount) or an adjustment (the difference
/// a re-priced stay is owed). <see cref="StayId"/> is the stay it concerns; <see cref="Pricing"/> is absent for a
/// reversal. Each entry is also one audit entry.
/// </summary>
public sealed record PlannedEntry(
    EntryKind Kind, string StayId, ParameterSet Set, PersonCategory Category, IReadOnlyList<PersonCategory> Candidates,
    decimal EligibleAmount, YearToDate Before, YearToDate After, decimal Payout, Pricing? Pricing)
{
    public decimal Deductible => Pricing?.Evaluation.Deductible ?? 0m;
    public bool CapApplied => Pricing?.Evaluation.CapApplied ?? false;
    public IReadOnlyList<TraceStep> Trace => Pricing?.Evaluation.Trace ?? [];
}

/// <summary>What a command does to a person-year: the rows to append in order, the ledger after and its stays after.</summary>
public sealed record AdjudicationPlan(IReadOnlyList<PlannedEntry> Entries, YearToDate LedgerAfter, IReadOnlyList<ActiveStay> StaysAfter)
{
    /// <summary>Every row appended is audited, in the same order (architecture.md "audit_log").</summary>
    public IReadOnlyList<PlannedEntry> AuditEntries => Entries;

    public PersonYearState StateAfter => new(LedgerAfter, StaysAfter);
}

/// <summary>
/// The domain plans every adjudication (style.md 13): a pure function from a person-year's state and a command to
/// the rows to append, the ledger after and the audit entries. A store executes the plan in one transaction.
/// </summary>
public static partial class Planner
{
    public static AdjudicationPlan Plan(PersonYearState state, AdjudicationCommand command) => command switch
    {
        AdjudicationCommand.Settle s => Settle(state, s),
        AdjudicationCommand.Reverse r => Reverse(state, r),
        AdjudicationCommand.Readjudicate r => Readjudicate(state, r),
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };

    /// <summary>Prices the new stay's own slice from where the ledger stands; no earlier stay moves.</summary>
    public static AdjudicationPlan Settle(PersonYearState state, AdjudicationCommand.Settle command)
    {
        var pricing = Adjudicator.PriceMostFavourable(command.Set, command.Candidates, command.ReferredOutOfRegion, state.Ledger, command.Costs);
        var entry = new PlannedEntry(EntryKind.Settlement, command.AdjudicationId, command.Set, pricing.Category, command.Candidates,
            pricing.EligibleAmount, state.Ledger, pricing.Ledger, pricing.Payout, pricing);
        var stay = new ActiveStay(command.AdjudicationId, command.Costs, command.Set, command.Candidates, command.ReferredOutOfRegion,
            pricing.Category, pricing.Payout);
        return new AdjudicationPlan([entry], pricing.Ledger, [.. state.Stays, stay]);
    }

    /// <summary>
    /// Takes the stay out and re-prices the later ones in their original order (rules.md "Reversals", "Changes after
    /// the fact"): each with its own set and the most favourable of its candidates, from the position the earlier
    /// remaining stays leave. Each difference is an adjustment; the ledger ends where a fresh settlement of the
    /// remaining stays would.
    /// </summary>
    public static AdjudicationPlan Reverse(PersonYearState state, AdjudicationCommand.Reverse command)
    {
        var target = state.Stays.SingleOrDefault(s => s.AdjudicationId == command.AdjudicationId)
            ?? throw new ArgumentException($"Stay {command.AdjudicationId} is not active in this person-year.", nameof(command));
        EnsureBalanced(state);

        var afterReversal = new YearToDate(state.Ledger.EligibleToDate - target.EligibleAmount, state.Ledger.PaidToDate - target.CurrentPayout);
        var entries = new List<PlannedEntry>
        {
            new(EntryKind.Reversal, target.AdjudicationId, target.Set, target.Category, target.Candidates, -target.EligibleAmount,
                state.Ledger, afterReversal, -target.CurrentPayout, null),
        };
        var paid = afterReversal.PaidToDate;
        var position = YearToDate.Empty;
        var staysAfter = new List<ActiveStay>();
        foreach (var stay in state.Stays.Where(s => s.AdjudicationId != target.AdjudicationId))
        {
            var pricing = Adjudicator.PriceMostFavourable(stay.Set, stay.Candidates, stay.ReferredOutOfRegion, position, stay.Costs);
            var difference = pricing.Payout - stay.CurrentPayout;
            if (difference != 0m)
            {
                var before = new YearToDate(afterReversal.EligibleToDate, paid);
                paid += difference;
                entries.Add(new PlannedEntry(EntryKind.Adjustment, stay.AdjudicationId, stay.Set, pricing.Category, stay.Candidates, 0m,
                    before, before with { PaidToDate = paid }, difference, pricing));
            }
            staysAfter.Add(stay with { Category = pricing.Category, CurrentPayout = pricing.Payout });
            position = pricing.Ledger;
        }

        var ledgerAfter = new YearToDate(afterReversal.EligibleToDate, paid);
        if (ledgerAfter != position)
            throw new InvalidOperationException($"Reversal of {target.AdjudicationId} does not balance: ledger {ledgerAfter}, replay {position}.");
        return new AdjudicationPlan(entries, ledgerAfter, staysAfter);
    }

    /// <summary>The ledger must be the sum of its active stays before anything is re-priced against it.</summary>
    private static void EnsureBalanced(PersonYearState state)
    {
        var eligible = state.Stays.Sum(s => s.EligibleAmount);
        var paid = state.Stays.Sum(s => s.CurrentPayout);
        if (eligible != state.Ledger.EligibleToDate || paid != state.Ledger.PaidToDate)
            throw new InvalidOperationException(
                $"The person-year's ledger {state.Ledger} is not the sum of its active stays ({eligible}, {paid}).");
    }
}

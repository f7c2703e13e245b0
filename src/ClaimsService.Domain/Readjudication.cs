namespace ClaimsService.Domain;

/// <summary>
/// What is known now about one active stay, for a re-adjudication run: the parameter set in force on its date as known now
/// (latest effectiveFrom, then latest version; policyYearBy respected) and its candidate categories recomputed from the
/// registry as it stands now, on its discharge date.
/// </summary>
public sealed record Repricing(ParameterSet Set, IReadOnlyList<PersonCategory> Candidates);

public abstract partial record AdjudicationCommand
{
    /// <summary>
    /// Re-price a whole person-year with what is known now (rules.md "Changes after the fact", api.md "Re-adjudication
    /// runs"): one <see cref="Repricing"/> for each active stay, by its adjudication id.
    /// </summary>
    public sealed record Readjudicate(IReadOnlyDictionary<string, Repricing> Repricings) : AdjudicationCommand;
}

public static partial class Planner
{
    /// <summary>
    /// Re-prices the active stays afresh in their original order, each with its set and candidates as known now, its own
    /// referral flag and costs (combinedRateCap applies), from the position the earlier stays leave. Each stay whose new
    /// payout differs from what it has been paid so far (payout plus earlier adjustments) gets one adjustment with the
    /// difference; every stay keeps the set and candidates it was re-priced with, so later reversals price it the same
    /// way. The ledger ends where a fresh settlement of the active stays with what is known now would; a second run with
    /// the same knowledge appends nothing.
    /// </summary>
    public static AdjudicationPlan Readjudicate(PersonYearState state, AdjudicationCommand.Readjudicate command)
    {
        EnsureBalanced(state);
        var entries = new List<PlannedEntry>();
        var staysAfter = new List<ActiveStay>(state.Stays.Count);
        var paid = state.Ledger.PaidToDate;
        var position = YearToDate.Empty;
        foreach (var stay in state.Stays)
        {
            if (!command.Repricings.TryGetValue(stay.AdjudicationId, out var now))
                throw new ArgumentException($"No repricing for stay {stay.AdjudicationId}.", nameof(command));
            var pricing = Adjudicator.PriceMostFavourable(now.Set, now.Candidates, stay.ReferredOutOfRegion, position, stay.Costs);
            var difference = pricing.Payout - stay.CurrentPayout;
            if (difference != 0m)
            {
                var before = new YearToDate(state.Ledger.EligibleToDate, paid);
                paid += difference;
                entries.Add(new PlannedEntry(EntryKind.Adjustment, stay.AdjudicationId, now.Set, pricing.Category, now.Candidates, 0m,
                    before, before with { PaidToDate = paid }, difference, pricing));
            }
            staysAfter.Add(stay with { Set = now.Set, Candidates = now.Candidates, Category = pricing.Category, CurrentPayout = pricing.Payout });
            position = pricing.Ledger;
        }

        var ledgerAfter = new YearToDate(state.Ledger.EligibleToDate, paid);
        if (ledgerAfter != position)
            throw new InvalidOperationException($"Re-adjudication does not balance: ledger {ledgerAfter}, replay {position}.");
        return new AdjudicationPlan(entries, ledgerAfter, staysAfter);
    }
}

using System.Text.Json;
using ClaimsService.Domain;

namespace ClaimsService.Data.Stores;

/// <summary>A new stay's facts that are not the domain's: who settles it, under which id, its dates and request fingerprint.</summary>
public sealed record NewStay(string HospitalCode, string SettlementId, DateOnly AdmissionDate, DateOnly DischargeDate, string RequestHash,
    NationalIds? National = null);

/// <summary>
/// A person-year as read: its ledger version, the domain's view of it (<see cref="State"/>: the ledger and its active
/// stays, each with its set, candidates, costs and what it has been paid) and the rows behind it. It maps a plan of the
/// domain onto the rows to append.
/// </summary>
public sealed partial class PersonYear
{
    private readonly Dictionary<string, AdjudicationRow> _rowsById;

    private PersonYear(PersonYearKey key, int version, PersonYearState state, IReadOnlyList<AdjudicationRow> rows)
    {
        Key = key;
        Version = version;
        State = state;
        Rows = rows;
        _rowsById = rows.ToDictionary(r => r.Id);
    }

    public PersonYearKey Key { get; }
    /// <summary>The ledger row's version: the sequence of the last adjudication appended.</summary>
    public int Version { get; }
    public PersonYearState State { get; }
    internal IReadOnlyList<AdjudicationRow> Rows { get; }

    internal static PersonYear From(PersonYearKey key, LedgerRow ledger, IReadOnlyList<AdjudicationRow> rows, IEnumerable<ParameterSet> sets)
    {
        var setsById = sets.ToDictionary(s => s.Id);
        var adjustments = rows.Where(r => r.Kind == Kinds.Adjustment).ToLookup(r => (r.HospitalCode, r.SettlementId));
        var stays = rows
            .Where(r => r.Kind == Kinds.Settlement && r.ReversedById is null)
            .Select(r =>
            {
                var adjusted = adjustments[(r.HospitalCode, r.SettlementId)].ToList();
                var last = adjusted.LastOrDefault() ?? r;
                // A run's set and candidates, once one re-priced the stay, stand until the next run (api.md "Re-adjudication runs").
                // A run that changed the stay's payout recorded them on its adjustment, the stay's last (a reversal's adjustments
                // carry the stay's own); one that did not, on the stay's row (repriced_*), and those then stand.
                var candidates = r.RepricedCandidates is { } repriced ? PersonCategories.Split(repriced) : CandidatesOf(last);
                return new ActiveStay(r.Id, CostsOf(r), setsById[r.RepricedParameterSetId ?? last.ParameterSetId], candidates, r.ReferredOutOfRegion,
                    PersonCategory.Parse(last.Category), Money.FromFen(r.PayoutFen + adjusted.Sum(a => a.PayoutFen)));
            })
            .ToList();
        var ytd = new YearToDate(Money.FromFen(ledger.EligibleToDateFen), Money.FromFen(ledger.PaidToDateFen));
        return new PersonYear(key, ledger.Version, new PersonYearState(ytd, stays), rows);
    }

    // Rows written before per-stay pricing carry neither costs nor candidates: the eligible amount, and their category.
    private static StayCosts CostsOf(AdjudicationRow r) => r.InPolicyCostFen is { } cost
        ? new StayCosts(Money.FromFen(cost), Money.FromFen(r.BasicInsurancePaidFen ?? 0))
        : StayCosts.OfEligible(Money.FromFen(r.EligibleAmountFen));

    private static IReadOnlyList<PersonCategory> CandidatesOf(AdjudicationRow r) =>
        r.CandidateCategories is not null ? PersonCategories.Split(r.CandidateCategories)
        : r.Category == PersonCategory.General.Code ? [] : [PersonCategory.Parse(r.Category)];

    internal AdjudicationRow Row(string adjudicationId) => _rowsById[adjudicationId];

    /// <summary>What a plan would append, as adjudications, without writing anything (a preview).</summary>
    public IReadOnlyList<Adjudication> Preview(AdjudicationPlan plan, NewStay? newStay, DateTime now) =>
        RowsOf(plan, newStay, now).Select(Adjudication.From).ToList();

    /// <summary>
    /// The rows a plan appends, in order, numbered on from the ledger's version. A settlement takes its id from the plan and
    /// its hospital facts from <paramref name="newStay"/>; a reversal and its adjustments take theirs from the stays' rows.
    /// </summary>
    internal IReadOnlyList<AdjudicationRow> RowsOf(AdjudicationPlan plan, NewStay? newStay, DateTime now, string? runId = null)
    {
        var rows = new List<AdjudicationRow>(plan.Entries.Count);
        string? reversalId = null;
        foreach (var entry in plan.Entries)
        {
            var sequence = Version + rows.Count + 1;
            var row = entry.Kind switch
            {
                EntryKind.Settlement => Settlement(entry, plan.StaysAfter.Single(s => s.AdjudicationId == entry.StayId),
                    newStay ?? throw new ArgumentNullException(nameof(newStay))),
                EntryKind.Reversal => Reversal(entry, Row(entry.StayId), now),
                EntryKind.Adjustment when runId is not null => RunAdjustment(entry, Row(entry.StayId), runId, now),
                EntryKind.Adjustment => Adjustment(entry, Row(entry.StayId), reversalId ?? throw new InvalidOperationException("An adjustment without a reversal."), now),
                _ => throw new ArgumentOutOfRangeException(nameof(plan)),
            };
            if (entry.Kind == EntryKind.Reversal) reversalId = row.Id;
            row.Sequence = sequence;
            row.Kind = entry.Kind switch { EntryKind.Settlement => Kinds.Settlement, EntryKind.Reversal => Kinds.Reversal, _ => Kinds.Adjustment };
            row.RegionCode = Key.RegionCode;
            row.InsuredId = Key.InsuredId;
            row.PolicyYear = Key.PolicyYear;
            row.Category = entry.Category.Code;
            row.ParameterSetId = entry.Set.Id;
            row.ParameterSetVersion = entry.Set.Version;
            row.ParameterSetRegion = entry.Set.RegionCode;
            row.EligibleAmountFen = Money.ToFen(entry.EligibleAmount);
            row.EligibleBeforeFen = Money.ToFen(entry.Before.EligibleToDate);
            row.EligibleAfterFen = Money.ToFen(entry.After.EligibleToDate);
            row.PaidBeforeFen = Money.ToFen(entry.Before.PaidToDate);
            row.PaidAfterFen = Money.ToFen(entry.After.PaidToDate);
            row.PayoutFen = Money.ToFen(entry.Payout);
            row.CapApplied = entry.CapApplied;
            row.Trace = JsonSerializer.Serialize(entry.Trace, StoredJson.Default.IReadOnlyListTraceStep);
            row.AdjudicatedAt = now;
            row.BusinessDate = BusinessDay.Of(now);
            rows.Add(row);
        }
        return rows;
    }

    private static AdjudicationRow Settlement(PlannedEntry entry, ActiveStay stay, NewStay facts)
    {
        var row = SettlementRow(entry, stay, facts);
        facts.National?.CopyTo(row, withMessage: true);
        // 本次可支付限额 (crt_payb_lmt_amt): what the stay's cap still allowed before it.
        if (entry.Pricing?.Evaluation.Cap is { } cap) row.CapRemainingFen = Money.ToFen(Math.Max(0m, cap - entry.Before.PaidToDate));
        return row;
    }

    // A reversal and an adjustment carry their stay's national identifiers, so statements and detail checks key on them.
    private static AdjudicationRow WithNationalOf(AdjudicationRow stay, AdjudicationRow row)
    {
        NationalIds.Of(stay)?.CopyTo(row, withMessage: false);
        return row;
    }

    private static AdjudicationRow SettlementRow(PlannedEntry entry, ActiveStay stay, NewStay facts) => new()
    {
        Id = entry.StayId,
        IdempotencyKey = Keys.Settlement(facts.HospitalCode, facts.SettlementId),
        HospitalCode = facts.HospitalCode,
        SettlementId = facts.SettlementId,
        AdmissionDate = facts.AdmissionDate,
        DischargeDate = facts.DischargeDate,
        ReferredOutOfRegion = stay.ReferredOutOfRegion,
        RequestHash = facts.RequestHash,
        DeductibleFen = Money.ToFen(entry.Deductible),
        CandidateCategories = PersonCategories.Join(entry.Candidates),
        InPolicyCostFen = Money.ToFen(stay.Costs.InPolicyCost),
        BasicInsurancePaidFen = Money.ToFen(stay.Costs.BasicInsurancePaid),
    };

    private static AdjudicationRow Reversal(PlannedEntry entry, AdjudicationRow target, DateTime now) => WithNationalOf(target, new()
    {
        Id = Guid.CreateVersion7(now).ToString(),
        IdempotencyKey = Keys.Reversal(target.HospitalCode, target.SettlementId),
        HospitalCode = target.HospitalCode,
        SettlementId = target.SettlementId,
        AdmissionDate = target.AdmissionDate,
        DischargeDate = target.DischargeDate,
        ReferredOutOfRegion = target.ReferredOutOfRegion,
        DeductibleFen = target.DeductibleFen,
        RelatedId = target.Id,
        CandidateCategories = PersonCategories.Join(entry.Candidates),
    });

    private static AdjudicationRow Adjustment(PlannedEntry entry, AdjudicationRow stay, string reversalId, DateTime now) =>
        WithNationalOf(stay, AdjustmentOf(entry, stay, Keys.Adjustment(reversalId, stay.Id), reversalId, now));

    /// <summary>A re-pricing of <paramref name="stay"/>: its hospital facts, the plan's deductible and candidates.</summary>
    private static AdjudicationRow AdjustmentOf(PlannedEntry entry, AdjudicationRow stay, string idempotencyKey, string relatedId, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(now).ToString(),
        IdempotencyKey = idempotencyKey,
        HospitalCode = stay.HospitalCode,
        SettlementId = stay.SettlementId,
        AdmissionDate = stay.AdmissionDate,
        DischargeDate = stay.DischargeDate,
        ReferredOutOfRegion = stay.ReferredOutOfRegion,
        DeductibleFen = Money.ToFen(entry.Deductible),
        RelatedId = relatedId,
        CandidateCategories = PersonCategories.Join(entry.Candidates),
    };
}

using ClaimsService.Data.Dialects;
using static ClaimsService.Data.Dialects.Bulk;

namespace ClaimsService.Data.Stores;

/// <summary>
/// The tables the bulk writes append to, column by column: a settlement batch's inserts over arrays (PostgreSQL) and a
/// re-adjudication chunk's COPY share one list each. The one-row INSERTs (<see cref="AdjudicationRow.Columns"/>, the audit
/// store's) name the same columns.
/// </summary>
internal static class StoredTables
{
    /// <summary>Every column of adjudications, in the order of <see cref="AdjudicationRow.Columns"/>, as a settlement's INSERT writes them.</summary>
    public static readonly BulkTable<AdjudicationRow> Adjudications = new("adjudications",
        Text<AdjudicationRow>("id", r => r.Id), Text<AdjudicationRow>("idempotency_key", r => r.IdempotencyKey), Text<AdjudicationRow>("kind", r => r.Kind),
        Text<AdjudicationRow>("hospital_code", r => r.HospitalCode), Text<AdjudicationRow>("settlement_id", r => r.SettlementId),
        Text<AdjudicationRow>("region_code", r => r.RegionCode), Text<AdjudicationRow>("insured_id", r => r.InsuredId),
        Int<AdjudicationRow>("policy_year", r => r.PolicyYear), Int<AdjudicationRow>("sequence", r => checked((int)r.Sequence)),
        Date<AdjudicationRow>("admission_date", r => r.AdmissionDate), Date<AdjudicationRow>("discharge_date", r => r.DischargeDate),
        Bool<AdjudicationRow>("referred_out_of_region", r => r.ReferredOutOfRegion), Text<AdjudicationRow>("category", r => r.Category),
        Text<AdjudicationRow>("parameter_set_id", r => r.ParameterSetId), Int<AdjudicationRow>("parameter_set_version", r => r.ParameterSetVersion),
        Text<AdjudicationRow>("parameter_set_region", r => r.ParameterSetRegion), BigInt<AdjudicationRow>("eligible_amount_fen", r => r.EligibleAmountFen),
        BigInt<AdjudicationRow>("deductible_fen", r => r.DeductibleFen), BigInt<AdjudicationRow>("eligible_before_fen", r => r.EligibleBeforeFen),
        BigInt<AdjudicationRow>("eligible_after_fen", r => r.EligibleAfterFen), BigInt<AdjudicationRow>("paid_before_fen", r => r.PaidBeforeFen),
        BigInt<AdjudicationRow>("paid_after_fen", r => r.PaidAfterFen), BigInt<AdjudicationRow>("payout_fen", r => r.PayoutFen),
        Bool<AdjudicationRow>("cap_applied", r => r.CapApplied), Text<AdjudicationRow>("related_id", r => r.RelatedId),
        Text<AdjudicationRow>("reversed_by_id", r => r.ReversedById), Text<AdjudicationRow>("request_hash", r => r.RequestHash),
        Text<AdjudicationRow>("trace", r => r.Trace), Instant<AdjudicationRow>("adjudicated_at", r => r.AdjudicatedAt),
        Date<AdjudicationRow>("business_date", r => r.BusinessDate), Text<AdjudicationRow>("candidate_categories", r => r.CandidateCategories),
        BigInt<AdjudicationRow>("in_policy_cost_fen", r => r.InPolicyCostFen), BigInt<AdjudicationRow>("basic_insurance_paid_fen", r => r.BasicInsurancePaidFen),
        Text<AdjudicationRow>("run_id", r => r.RunId), Text<AdjudicationRow>("repriced_parameter_set_id", r => r.RepricedParameterSetId),
        Text<AdjudicationRow>("repriced_candidates", r => r.RepricedCandidates), Text<AdjudicationRow>("psn_no", r => r.PsnNo),
        Text<AdjudicationRow>("mdtrt_id", r => r.MdtrtId), Text<AdjudicationRow>("setl_id", r => r.SetlId), Text<AdjudicationRow>("msgid", r => r.Msgid),
        Text<AdjudicationRow>("med_type", r => r.MedType), Text<AdjudicationRow>("insuplc_admdvs", r => r.InsuplcAdmdvs),
        Text<AdjudicationRow>("mdtrtarea_admvs", r => r.MdtrtareaAdmvs), BigInt<AdjudicationRow>("cap_remaining_fen", r => r.CapRemainingFen));

    /// <summary>An audit entry; audit_log.id is the sequence the sealer chains in: the database hands it out, as for every other entry.</summary>
    public static readonly BulkTable<AuditRow> AuditLog = new("audit_log",
        Text<AuditRow>("adjudication_id", r => r.AdjudicationId), Text<AuditRow>("kind", r => r.Kind), Text<AuditRow>("outcome", r => r.Outcome),
        Text<AuditRow>("code", r => r.Code), Text<AuditRow>("caller", r => r.Caller), Text<AuditRow>("hospital_code", r => r.HospitalCode),
        Text<AuditRow>("settlement_id", r => r.SettlementId), Text<AuditRow>("region_code", r => r.RegionCode),
        Text<AuditRow>("parameter_set_id", r => r.ParameterSetId),
        Int<AuditRow>("parameter_set_version", r => r.ParameterSetVersion),
        Text<AuditRow>("category", r => r.Category), Text<AuditRow>("inputs", r => r.Inputs), Text<AuditRow>("trace", r => r.Trace),
        Text<AuditRow>("outputs", r => r.Outputs), Text<AuditRow>("trace_id", r => r.TraceId), Instant<AuditRow>("recorded_at", r => r.RecordedAt));
}

namespace ClaimsService.Data.Stores;

/// <summary>Kinds of adjudication rows and audit entries.</summary>
public static class Kinds
{
    public const string Settlement = "settlement";
    public const string Reversal = "reversal";
    public const string Adjustment = "adjustment";
    public const string Preview = "preview";
    /// <summary>冲正 of a settlement that never arrived: a tombstone under its key (payout 0), so a late original is refused.</summary>
    public const string Void = "void";
}

/// <summary>A row of <c>adjudications</c>: one settlement, reversal or adjustment. Amounts in fen.</summary>
internal sealed class AdjudicationRow
{
    public string Id { get; set; } = "";
    public string IdempotencyKey { get; set; } = "";
    public string Kind { get; set; } = "";
    public string HospitalCode { get; set; } = "";
    public string SettlementId { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public string InsuredId { get; set; } = "";
    public int PolicyYear { get; set; }
    public long Sequence { get; set; }
    public DateOnly? AdmissionDate { get; set; }
    public DateOnly? DischargeDate { get; set; }
    public bool ReferredOutOfRegion { get; set; }
    public string Category { get; set; } = "";
    public string ParameterSetId { get; set; } = "";
    public int ParameterSetVersion { get; set; }
    public string ParameterSetRegion { get; set; } = "";
    public long EligibleAmountFen { get; set; }
    public long DeductibleFen { get; set; }
    public long EligibleBeforeFen { get; set; }
    public long EligibleAfterFen { get; set; }
    public long PaidBeforeFen { get; set; }
    public long PaidAfterFen { get; set; }
    public long PayoutFen { get; set; }
    public bool CapApplied { get; set; }
    /// <summary>Reversal: the settlement reversed. Adjustment: the reversal that caused it.</summary>
    public string? RelatedId { get; set; }
    /// <summary>Settlement: the reversal that took it out.</summary>
    public string? ReversedById { get; set; }
    public string? RequestHash { get; set; }
    /// <summary>Settlement and adjustment: the categories that applied when the stay was priced, codes in registry order.</summary>
    public string? CandidateCategories { get; set; }
    /// <summary>Settlement: 政策范围内费用 and what basic insurance paid on it (null on rows written before per-stay pricing).</summary>
    public long? InPolicyCostFen { get; set; }
    public long? BasicInsurancePaidFen { get; set; }
    /// <summary>Adjustment: the re-adjudication run that wrote it (null for a reversal's).</summary>
    public string? RunId { get; set; }
    /// <summary>Settlement: the set and candidates of the last run that re-priced the stay (null until a run does).</summary>
    public string? RepricedParameterSetId { get; set; }
    public string? RepricedCandidates { get; set; }
    /// <summary>The national platform's identifiers of the stay (null when the hospital sent none); see <see cref="NationalIds"/>.</summary>
    public string? PsnNo { get; set; }
    public string? MdtrtId { get; set; }
    public string? SetlId { get; set; }
    /// <summary>Settlement: the platform message id of the first request (a retry's is audited, not stored here).</summary>
    public string? Msgid { get; set; }
    public string? MedType { get; set; }
    public string? InsuplcAdmdvs { get; set; }
    public string? MdtrtareaAdmvs { get; set; }
    /// <summary>Settlement: 本次可支付限额, what the cap still allowed before this stay (null: no cap).</summary>
    public long? CapRemainingFen { get; set; }
    /// <summary>JSON array of the bands applied.</summary>
    public string Trace { get; set; } = "[]";
    public DateTime AdjudicatedAt { get; set; }
    public DateOnly BusinessDate { get; set; }

    internal const string Columns = """
        id, idempotency_key, kind, hospital_code, settlement_id, region_code, insured_id, policy_year, sequence,
        admission_date, discharge_date, referred_out_of_region, category, parameter_set_id, parameter_set_version,
        parameter_set_region, eligible_amount_fen, deductible_fen, eligible_before_fen, eligible_after_fen,
        paid_before_fen, paid_after_fen, payout_fen, cap_applied, related_id, reversed_by_id, request_hash, trace,
        adjudicated_at, business_date, candidate_categories, in_policy_cost_fen, basic_insurance_paid_fen,
        run_id, repriced_parameter_set_id, repriced_candidates,
        psn_no, mdtrt_id, setl_id, msgid, med_type, insuplc_admdvs, mdtrtarea_admvs, cap_remaining_fen
        """;

    internal const string Values = """
        @Id, @IdempotencyKey, @Kind, @HospitalCode, @SettlementId, @RegionCode, @InsuredId, @PolicyYear, @Sequence,
        @AdmissionDate, @DischargeDate, @ReferredOutOfRegion, @Category, @ParameterSetId, @ParameterSetVersion,
        @ParameterSetRegion, @EligibleAmountFen, @DeductibleFen, @EligibleBeforeFen, @EligibleAfterFen,
        @PaidBeforeFen, @PaidAfterFen, @PayoutFen, @CapApplied, @RelatedId, @ReversedById, @RequestHash, @Trace,
        @AdjudicatedAt, @BusinessDate, @CandidateCategories, @InPolicyCostFen, @BasicInsurancePaidFen,
        @RunId, @RepricedParameterSetId, @RepricedCandidates,
        @PsnNo, @MdtrtId, @SetlId, @Msgid, @MedType, @InsuplcAdmdvs, @MdtrtareaAdmvs, @CapRemainingFen
        """;
}

/// <summary>A row of <c>ledgers</c>: the person-year's position. Amounts in fen.</summary>
internal class LedgerRow
{
    public long EligibleToDateFen { get; set; }
    public long PaidToDateFen { get; set; }
    public int Version { get; set; }
}

/// <summary>A ledger row read with its key, where one read returns many person-years' (a batch's lock, a run's chunk).</summary>
internal sealed class KeyedLedgerRow : LedgerRow
{
    public string RegionCode { get; set; } = "";
    public string InsuredId { get; set; } = "";
    public int PolicyYear { get; set; }

    public PersonYearKey Key => new(RegionCode, InsuredId, PolicyYear);
}

/// <summary>A row of <c>audit_log</c>: every adjudication, preview and business rejection.</summary>
public class AuditRow
{
    public long Id { get; set; }
    public string? AdjudicationId { get; set; }
    public string Kind { get; set; } = "";
    public string Outcome { get; set; } = "";
    public string? Code { get; set; }
    public string Caller { get; set; } = "";
    public string? HospitalCode { get; set; }
    public string? SettlementId { get; set; }
    public string? RegionCode { get; set; }
    public string? ParameterSetId { get; set; }
    public int? ParameterSetVersion { get; set; }
    public string? Category { get; set; }
    public string Inputs { get; set; } = "{}";
    public string? Trace { get; set; }
    public string? Outputs { get; set; }
    public string? TraceId { get; set; }
    public DateTime RecordedAt { get; set; }
}

/// <summary>
/// A stay's identifiers on China's national medical-insurance platform (api.md "Settlements", national): 人员编号, 就诊ID,
/// 结算ID, 报文ID, 医疗类别, 参保地 and 就医地 区划.
/// </summary>
public sealed record NationalIds(string PsnNo, string MdtrtId, string SetlId, string? Msgid, string? MedType, string? InsuplcAdmdvs, string? MdtrtareaAdmvs)
{
    internal void CopyTo(AdjudicationRow row, bool withMessage)
    {
        (row.PsnNo, row.MdtrtId, row.SetlId, row.MedType, row.InsuplcAdmdvs, row.MdtrtareaAdmvs) = (PsnNo, MdtrtId, SetlId, MedType, InsuplcAdmdvs, MdtrtareaAdmvs);
        if (withMessage) row.Msgid = Msgid;
    }

    internal static NationalIds? Of(AdjudicationRow row) => row.SetlId is null ? null
        : new(row.PsnNo ?? "", row.MdtrtId ?? "", row.SetlId, row.Msgid, row.MedType, row.InsuplcAdmdvs, row.MdtrtareaAdmvs);
}

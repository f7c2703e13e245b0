using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Settlements;

/// <summary>The body of <c>POST /v1/settlements</c> and <c>/preview</c> (api.md "Settlements").</summary>
/// <remarks>Every field is nullable so that a missing one is reported as a field error, not a parse failure.</remarks>
public sealed record SettlementRequest
{
    /// <summary>The hospital's id of the settlement; with the hospital code, the idempotency key.</summary>
    [Required] public string? SettlementId { get; init; }
    /// <summary>18-character resident identity number; its check digit is verified.</summary>
    [Required] public string? InsuredId { get; init; }
    /// <summary>The pooling region (6-digit administrative division code).</summary>
    [Required] public string? RegionCode { get; init; }
    [Required] public DateOnly? AdmissionDate { get; init; }
    /// <summary>Decides the policy year; not in the future (UTC+8).</summary>
    [Required] public DateOnly? DischargeDate { get; init; }
    /// <summary>政策范围内费用, CNY, at most two decimals.</summary>
    [Required] public decimal? InPolicyCost { get; init; }
    /// <summary>What basic insurance paid on it; not above the cost.</summary>
    [Required] public decimal? BasicInsurancePaid { get; init; }
    /// <summary>Referred for treatment outside the region (default false).</summary>
    public bool? ReferredOutOfRegion { get; init; }
    /// <summary>The stay's identifiers on the national medical-insurance platform (optional), echoed in the answer, audit and statements.</summary>
    public NationalRequest? National { get; init; }

    /// <summary>Checks every field; <paramref name="today"/> is the business day (UTC+8) a discharge may not be after.</summary>
    public (ValidSettlement? Valid, FieldErrors Errors) Validate(DateOnly today)
    {
        var e = new FieldErrors();
        var id = e.SettlementId("settlementId", SettlementId);
        var insured = e.ResidentId("insuredId", InsuredId);
        var region = e.RegionCode("regionCode", RegionCode);
        var admission = e.Required("admissionDate", AdmissionDate);
        var discharge = e.Required("dischargeDate", DischargeDate);
        if (AdmissionDate is not null && DischargeDate is not null && discharge < admission)
            e.Add("dischargeDate", "Must not be before admissionDate.");
        if (DischargeDate is not null && discharge > today) e.Add("dischargeDate", "Must not be in the future.");
        var cost = e.Amount("inPolicyCost", InPolicyCost);
        var basic = e.Amount("basicInsurancePaid", BasicInsurancePaid);
        if (InPolicyCost is not null && BasicInsurancePaid is not null && basic > cost)
            e.Add("basicInsurancePaid", "Must not exceed inPolicyCost.");
        var national = National?.Validate(e, RegionCode);
        return e.Any ? (null, e) : (new ValidSettlement(id, insured, region, admission, discharge, cost, basic, ReferredOutOfRegion ?? false)
        {
            National = national,
        }, e);
    }
}

/// <summary>A settlement request that passed validation, normalised.</summary>
public sealed record ValidSettlement(
    string SettlementId, string InsuredId, string RegionCode, DateOnly AdmissionDate, DateOnly DischargeDate,
    decimal InPolicyCost, decimal BasicInsurancePaid, bool ReferredOutOfRegion)
{
    /// <summary>The platform's identifiers, when the hospital sent them.</summary>
    public NationalIds? National { get; init; }

    /// <summary>What the stay costs; its eligible amount (进入大病保险的合规费用) is the domain's to derive.</summary>
    public StayCosts Costs => new(InPolicyCost, BasicInsurancePaid);

    public string ToJson() => JsonSerializer.Serialize(this, AuditJson.Default.ValidSettlement);

    /// <summary>The fingerprint that tells a replay from a reused key: the normalised body, hashed.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{SettlementId}|{InsuredId}|{RegionCode}|{AdmissionDate:yyyy-MM-dd}|{DischargeDate:yyyy-MM-dd}|{InPolicyCost:0.00}|{BasicInsurancePaid:0.00}|{ReferredOutOfRegion}"
        // The platform's msgid is new for every message: not part of the comparison. Bodies without national hash as before.
        + (National is { } n ? $"|{n.PsnNo}|{n.MdtrtId}|{n.SetlId}|{n.MedType}|{n.InsuplcAdmdvs}|{n.MdtrtareaAdmvs}" : ""))));
}

/// <summary>
/// A settlement's identifiers on China's national medical-insurance platform, named as its interface names them
/// (人员编号, 就诊ID, 结算ID, 报文ID, 医疗类别, 参保地 and 就医地 区划).
/// </summary>
public sealed record NationalRequest
{
    public const int IdMaxLength = 30;

    /// <summary>人员编号: the platform's person number (at most 30 letters, digits, '-' or '_').</summary>
    [JsonPropertyName("psn_no")] public string? PsnNo { get; init; }
    /// <summary>就诊ID: the platform's visit id (at most 30).</summary>
    [JsonPropertyName("mdtrt_id")] public string? MdtrtId { get; init; }
    /// <summary>结算ID: the platform's settlement id (at most 30); insurers reconcile by it.</summary>
    [JsonPropertyName("setl_id")] public string? SetlId { get; init; }
    /// <summary>报文ID: new for every message, so not part of the idempotency comparison (at most 30).</summary>
    [JsonPropertyName("msgid")] public string? Msgid { get; init; }
    /// <summary>医疗类别 (at most 6 letters or digits).</summary>
    [JsonPropertyName("med_type")] public string? MedType { get; init; }
    /// <summary>参保地医保区划: the 6-digit code of the insured's region; when given, equal to regionCode.</summary>
    [JsonPropertyName("insuplc_admdvs")] public string? InsuplcAdmdvs { get; init; }
    /// <summary>就医地医保区划: the 6-digit code of the treating hospital's region.</summary>
    [JsonPropertyName("mdtrtarea_admvs")] public string? MdtrtareaAdmvs { get; init; }

    internal NationalIds Validate(FieldErrors e, string? regionCode)
    {
        var psn = Id(e, "national.psn_no", PsnNo, IdMaxLength, required: true);
        var mdtrt = Id(e, "national.mdtrt_id", MdtrtId, IdMaxLength, required: true);
        var setl = Id(e, "national.setl_id", SetlId, IdMaxLength, required: true);
        var msgid = Id(e, "national.msgid", Msgid, IdMaxLength, required: false);
        var medType = Id(e, "national.med_type", MedType, 6, required: false);
        if (InsuplcAdmdvs is not null)
        {
            e.RegionCode("national.insuplc_admdvs", InsuplcAdmdvs);
            if (Identifiers.IsRegionCode(InsuplcAdmdvs) && InsuplcAdmdvs != regionCode) e.Add("national.insuplc_admdvs", "Must equal regionCode.");
        }
        if (MdtrtareaAdmvs is not null) e.RegionCode("national.mdtrtarea_admvs", MdtrtareaAdmvs);
        return new NationalIds(psn!, mdtrt!, setl!, msgid, medType, InsuplcAdmdvs, MdtrtareaAdmvs);
    }

    // The platform's ids are letters and digits (some vendors add '-' or '_'); nothing that needs escaping in CSV or logs.
    private static string? Id(FieldErrors e, string field, string? value, int maxLength, bool required)
    {
        if (value is null)
        {
            if (required) e.Add(field, "Required.");
            return null;
        }
        if (value.Length is 0 || value.Length > maxLength || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            e.Add(field, $"1 to {maxLength} characters: letters, digits, '-' and '_' only.");
        return value;
    }
}

/// <summary>The body of a void (冲正).</summary>
public sealed record VoidRequest
{
    /// <summary>Why the hospital voids it (at most 500 characters).</summary>
    [Required] public string? Reason { get; init; }
    /// <summary>The region the settlement was sent for (optional): a tombstone is listed in that region's statements.</summary>
    public string? RegionCode { get; init; }

    public FieldErrors Validate(string settlementId)
    {
        var e = new FieldErrors();
        e.SettlementId("settlementId", settlementId);
        e.Required("reason", Reason, 500);
        if (RegionCode is not null) e.RegionCode("regionCode", RegionCode);
        return e;
    }
}

public sealed record ReversalRequest
{
    /// <summary>Why the hospital cancels the settlement (at most 500 characters).</summary>
    [Required] public string? Reason { get; init; }

    /// <summary>The reason and the path's settlement id, checked like a settlement's.</summary>
    public FieldErrors Validate(string settlementId)
    {
        var e = new FieldErrors();
        e.SettlementId("settlementId", settlementId);
        e.Required("reason", Reason, 500);
        return e;
    }
}

public sealed record ParameterSetRefContract(string Id, int Version, string RegionCode);

public sealed record YearToDateContract(decimal EligibleBefore, decimal EligibleAfter, decimal PaidBefore, decimal PaidAfter);

/// <summary>An adjudication as the hospital sees it: settlement, preview, reversal or adjustment.</summary>
public sealed record SettlementResponse(
    string AdjudicationId, string Kind, string SettlementId, string HospitalCode, string RegionCode, string InsuredId, int PolicyYear,
    string Category, ParameterSetRefContract ParameterSet, decimal EligibleAmount, decimal Deductible, bool CapApplied,
    YearToDateContract YearToDate, decimal Payout, IReadOnlyList<TraceStep> Trace, DateTime AdjudicatedAt)
{
    /// <summary>Reversal: the settlements of the person-year re-priced because of it.</summary>
    public IReadOnlyList<SettlementResponse>? Adjustments { get; init; }

    /// <summary>Reversal: the settlement it took out. Adjustment: the reversal that caused it.</summary>
    public string? RelatedAdjudicationId { get; init; }

    /// <summary>A settlement that was reversed: the reversal's id.</summary>
    public string? ReversedBy { get; init; }

    /// <summary>When the request carried national identifiers: them, and the 大病 share as the platform's settlement answer reads it.</summary>
    public NationalAnswer? National { get; init; }

    public static SettlementResponse From(Adjudication a) => new(
        a.Id, a.Kind, a.SettlementId, a.HospitalCode, a.RegionCode, a.InsuredId, a.PolicyYear, a.Category,
        new ParameterSetRefContract(a.ParameterSetId, a.ParameterSetVersion, a.ParameterSetRegion), a.EligibleAmount, a.Deductible, a.CapApplied,
        new YearToDateContract(a.Before.EligibleToDate, a.After.EligibleToDate, a.Before.PaidToDate, a.After.PaidToDate),
        a.Payout, a.Trace, a.AdjudicatedAt)
    {
        RelatedAdjudicationId = a.RelatedId,
        ReversedBy = a.ReversedById,
        National = NationalAnswer.From(a),
    };
}

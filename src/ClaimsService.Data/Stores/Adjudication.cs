using System.Text.Json;
using ClaimsService.Domain;

namespace ClaimsService.Data.Stores;

/// <summary>
/// An adjudication as the stores hand it out: a settlement, reversal, adjustment or preview, amounts in CNY. The row it is
/// read from stays internal to the data layer (style.md 5).
/// </summary>
public sealed record Adjudication(
    string Id, string Kind, string SettlementId, string HospitalCode, string RegionCode, string InsuredId, int PolicyYear,
    string Category, string ParameterSetId, int ParameterSetVersion, string ParameterSetRegion, decimal EligibleAmount, decimal Deductible,
    bool CapApplied, YearToDate Before, YearToDate After, decimal Payout, IReadOnlyList<TraceStep> Trace, DateTime AdjudicatedAt)
{
    /// <summary>Reversal: the settlement it took out. Adjustment: the reversal that caused it.</summary>
    public string? RelatedId { get; init; }
    /// <summary>Settlement: the reversal that took it out.</summary>
    public string? ReversedById { get; init; }
    /// <summary>Settlement: the fingerprint of the body it was settled with (a replay's body must match it).</summary>
    public string? RequestHash { get; init; }
    /// <summary>Adjustment: the re-adjudication run that wrote it.</summary>
    public string? RunId { get; init; }
    /// <summary>The national platform's identifiers of the stay, when the hospital sent them.</summary>
    public NationalIds? National { get; init; }
    /// <summary>Settlement: 本次可支付限额, what the cap still allowed before it (null: no cap).</summary>
    public decimal? CapRemaining { get; init; }
    public DateOnly? AdmissionDate { get; init; }
    public DateOnly? DischargeDate { get; init; }
    /// <summary>Settlement: 政策范围内费用 and what basic insurance paid (null on rows from before per-stay pricing).</summary>
    public decimal? InPolicyCost { get; init; }
    public decimal? BasicInsurancePaid { get; init; }

    /// <summary>
    /// What may reach a log (Polly logs a pipeline's result): kind, id and payout, never the insured person, nor the
    /// settlement id, which a hospital may have built from a resident ID.
    /// </summary>
    public override string ToString() => $"{Kind} {Id}, payout {Payout}";

    internal static Adjudication From(AdjudicationRow r) => new(
        r.Id, r.Kind, r.SettlementId, r.HospitalCode, r.RegionCode, r.InsuredId, r.PolicyYear, r.Category,
        r.ParameterSetId, r.ParameterSetVersion, r.ParameterSetRegion, Money.FromFen(r.EligibleAmountFen), Money.FromFen(r.DeductibleFen),
        r.CapApplied, new YearToDate(Money.FromFen(r.EligibleBeforeFen), Money.FromFen(r.PaidBeforeFen)),
        new YearToDate(Money.FromFen(r.EligibleAfterFen), Money.FromFen(r.PaidAfterFen)), Money.FromFen(r.PayoutFen),
        JsonSerializer.Deserialize(r.Trace, StoredJson.Default.ListTraceStep) ?? [], DateTime.SpecifyKind(r.AdjudicatedAt, DateTimeKind.Utc))
    {
        RelatedId = r.RelatedId,
        ReversedById = r.ReversedById,
        RequestHash = r.RequestHash,
        RunId = r.RunId,
        National = NationalIds.Of(r),
        CapRemaining = r.CapRemainingFen is { } cap ? Money.FromFen(cap) : null,
        AdmissionDate = r.AdmissionDate,
        DischargeDate = r.DischargeDate,
        InPolicyCost = r.InPolicyCostFen is { } cost ? Money.FromFen(cost) : null,
        BasicInsurancePaid = r.BasicInsurancePaidFen is { } basic ? Money.FromFen(basic) : null,
    };
}

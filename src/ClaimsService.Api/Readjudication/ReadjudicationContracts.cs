using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Readjudication;

/// <summary>The body of <c>POST /v1/readjudications</c> (api.md "Re-adjudication runs").</summary>
/// <remarks>Every field is nullable so that a missing one is reported as a field error, not a parse failure.</remarks>
public sealed record ReadjudicationRequest
{
    public const int RunIdMaxLength = 100;
    public const int ReasonMaxLength = 400;

    /// <summary>The run's id, chosen by the caller: the idempotency key of the run, and what makes it resumable.</summary>
    [Required] public string? RunId { get; init; }
    /// <summary>The pooling region whose person-years are re-priced.</summary>
    [Required] public string? RegionCode { get; init; }
    [Required] public int? PolicyYear { get; init; }
    /// <summary>Limits the run to one person (optional).</summary>
    public string? InsuredId { get; init; }
    /// <summary>Why: the notice or registry change that makes the run necessary.</summary>
    [Required] public string? Reason { get; init; }
    /// <summary>true: nothing is written, the full report is answered and the runId is not used up.</summary>
    [Required] public bool? DryRun { get; init; }

    public (ValidReadjudication? Valid, FieldErrors Errors) Validate()
    {
        var e = new FieldErrors();
        var runId = e.Required("runId", RunId, RunIdMaxLength);
        if (!string.IsNullOrEmpty(RunId) && !RunId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            e.Add("runId", "Letters, digits, '-', '_', '.' and ':' only.");
        var region = e.RegionCode("regionCode", RegionCode);
        var year = e.Required("policyYear", PolicyYear);
        if (PolicyYear is < 2000 or > 2100) e.Add("policyYear", "Between 2000 and 2100.");
        var insured = InsuredId is null ? null : e.ResidentId("insuredId", InsuredId);
        var reason = e.Required("reason", Reason, ReasonMaxLength);
        var dryRun = e.Required("dryRun", DryRun);
        return (e.Any ? null : new ValidReadjudication(runId, region, year, insured, reason, dryRun), e);
    }
}

/// <summary>A validated run request.</summary>
public sealed record ValidReadjudication(string RunId, string RegionCode, int PolicyYear, string? InsuredId, string Reason, bool DryRun)
{
    /// <summary>The body's fingerprint (dryRun aside): the same runId with another body is refused.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{RunId.Length}:{RunId}|{RegionCode}|{PolicyYear}|{InsuredId}|{Reason.Length}:{Reason}")));

    public override string ToString() => $"run {RunId} {RegionCode}/{PolicyYear}{(InsuredId is null ? "" : $"/{ResidentId.Mask(InsuredId)}")}";
}

public sealed record PersonYearCounts(long Examined, long Changed);

public sealed record AdjustmentTotals(long Count, decimal Payout);

/// <summary>The answer of a run (api.md): what it examined and changed, top-ups (补付) and recoveries (追回) apart, and the net.</summary>
public sealed record ReadjudicationResponse(
    string RunId, string RegionCode, int PolicyYear, string? InsuredId, bool DryRun, string Status,
    PersonYearCounts PersonYears, AdjustmentTotals TopUps, AdjustmentTotals Recoveries, decimal Net)
{
    public static ReadjudicationResponse From(ValidReadjudication r, bool dryRun, string status, ReadjudicationTotals t) => new(
        r.RunId, r.RegionCode, r.PolicyYear, r.InsuredId, dryRun, status, new PersonYearCounts(t.Examined, t.Changed),
        new AdjustmentTotals(t.TopUpCount, Money.FromFen(t.TopUpFen)), new AdjustmentTotals(t.RecoveryCount, Money.FromFen(t.RecoveryFen)),
        Money.FromFen(t.TopUpFen + t.RecoveryFen));

    public static ReadjudicationResponse From(ReadjudicationRun run, ReadjudicationTotals t) =>
        From(new ValidReadjudication(run.RunId, run.RegionCode, run.PolicyYear, run.InsuredId, run.Reason, false), false, run.Status, t);
}

/// <summary>One row of <c>GET /v1/readjudications/{runId}/adjustments</c>.</summary>
public sealed record RunAdjustmentContract(
    string AdjudicationId, string SettlementId, string HospitalCode, string InsuredId, decimal PayoutBefore, decimal PayoutAfter,
    decimal Difference, string CategoryBefore, string CategoryAfter, string ParameterSetIdBefore, int ParameterSetVersionBefore,
    string ParameterSetIdAfter, int ParameterSetVersionAfter)
{
    public static RunAdjustmentContract From(RunAdjustmentLine l) => new(l.AdjudicationId, l.SettlementId, l.HospitalCode, l.InsuredId,
        Money.FromFen(l.PayoutBeforeFen), Money.FromFen(l.PayoutAfterFen), Money.FromFen(l.DifferenceFen), l.CategoryBefore, l.CategoryAfter,
        l.ParameterSetIdBefore, l.ParameterSetVersionBefore, l.ParameterSetIdAfter, l.ParameterSetVersionAfter);
}

using System.Text.Json;
using ClaimsService.Data.Audit;

namespace ClaimsService.Api.Audit;

/// <summary>The parameter set an entry was priced with.</summary>
public sealed record AuditParameterSetRef(string Id, int? Version);

/// <summary>
/// One audit entry. sequence is its place in the log (and in the hash chain); id is the adjudication or preview it records
/// (absent for a business rejection). inputs, trace and outputs are the JSON recorded, as JSON.
/// </summary>
public sealed record AuditEntryResponse(
    long Sequence, string? Id, DateTime RecordedAt, string Kind, string Outcome, string? Code, string Caller, string? HospitalCode,
    string? SettlementId, string? RegionCode, string? InsuredId, AuditParameterSetRef? ParameterSet, string? Category,
    JsonElement? Inputs, JsonElement? Trace, JsonElement? Outputs, string? TraceId)
{
    public static AuditEntryResponse Of(AuditEntryRow r)
    {
        var inputs = Json(r.Inputs);
        var insured = r.AdjudicationInsuredId
            ?? (inputs is { ValueKind: JsonValueKind.Object } i && i.TryGetProperty("insuredId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null);
        return new(r.Id, r.AdjudicationId, DateTime.SpecifyKind(r.RecordedAt, DateTimeKind.Utc), r.Kind, r.Outcome, r.Code, r.Caller, r.HospitalCode,
            r.SettlementId, r.RegionCode, insured, r.ParameterSetId is { } set ? new AuditParameterSetRef(set, r.ParameterSetVersion) : null, r.Category,
            inputs, Json(r.Trace), Json(r.Outputs), r.TraceId);
    }

    /// <summary>The stored JSON as JSON; text that is not JSON (it never should be) as a string, rather than a failed read.</summary>
    private static JsonElement? Json(string? text)
    {
        if (text is null) return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }
}

/// <summary>A page of entries, oldest first; nextCursor (absent on the last page) asks for the page after it.</summary>
public sealed record AuditEntriesResponse(IReadOnlyList<AuditEntryResponse> Entries, string? NextCursor);

/// <summary>A seal: the chain over the whole log through the entry <c>sequence</c>.</summary>
public sealed record AuditSealResponse(long Sequence, long Entries, string Digest, string? PreviousDigest, DateTime SealedAt)
{
    public static AuditSealResponse Of(AuditSealRow r) => new(r.Sequence, r.Entries, r.Digest, r.PreviousDigest, DateTime.SpecifyKind(r.SealedAt, DateTimeKind.Utc));
}

/// <summary>The latest seal, as the reconciliation summary carries it.</summary>
public sealed record AuditSealRef(long Sequence, string Digest, DateTime SealedAt)
{
    public static AuditSealRef? Of(AuditSealRow? r) => r is null ? null : new(r.Sequence, r.Digest, DateTime.SpecifyKind(r.SealedAt, DateTimeKind.Utc));
}

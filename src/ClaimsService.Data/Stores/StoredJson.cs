using System.Text.Json;
using System.Text.Json.Serialization;
using ClaimsService.Domain;

namespace ClaimsService.Data.Stores;

/// <summary>
/// Source-generated serialisers for the JSON written on every adjudication (the trace column, the audit entry's outputs),
/// with the options of <see cref="SettlementStore.Json"/> (web defaults, nothing else), so the bytes are the reflection
/// serialiser's: the generated writers skip its per-property converter dispatch (bench/README.md "CPU trimming").
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<TraceStep>))]
[JsonSerializable(typeof(IReadOnlyList<TraceStep>))]
[JsonSerializable(typeof(AuditOutputs))]
internal sealed partial class StoredJson : JsonSerializerContext;

/// <summary>What an accepted adjudication's audit entry records as its outputs (the anonymous object it replaced, field for field).</summary>
internal sealed record AuditOutputs(
    string AdjudicationId, string Kind, decimal Payout, decimal Deductible, decimal EligibleAmount, decimal EligibleBefore, decimal EligibleAfter,
    decimal PaidBefore, decimal PaidAfter, bool CapApplied, string? RelatedId, string? CandidateCategories);

using System.Text.Json;
using System.Text.Json.Serialization;
using ClaimsService.Domain;

namespace ClaimsService.Api.Settlements;

/// <summary>
/// Source-generated serialisers for what every settlement and preview writes to the audit log (the request as inputs, a
/// preview's answer as outputs and its trace), with the options of <c>SettlementStore.Json</c> (web defaults, nothing else),
/// so the stored bytes are the reflection serialiser's (bench/README.md "CPU trimming").
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ValidSettlement))]
[JsonSerializable(typeof(SettlementResponse))]
[JsonSerializable(typeof(IReadOnlyList<TraceStep>))]
internal sealed partial class AuditJson : JsonSerializerContext;

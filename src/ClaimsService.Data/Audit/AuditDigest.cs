using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace ClaimsService.Data.Audit;

/// <summary>
/// The hash chain over audit_log. An entry's digest is SHA-256 of a canonical serialisation of every stored column
/// (a JSON array in column order, strings as stored, the instant as ISO 8601 with 100 ns ticks); the chain after an entry
/// is SHA-256(chain before ‖ entry digest), starting from 32 zero bytes. Digests are lower-case hex.
/// </summary>
public static class AuditDigest
{
    public static readonly string Genesis = new('0', 64);

    public static string Of(AuditEntryRow e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteNumberValue(e.Id);
            Text(json, e.AdjudicationId);
            Text(json, e.Kind);
            Text(json, e.Outcome);
            Text(json, e.Code);
            Text(json, e.Caller);
            Text(json, e.HospitalCode);
            Text(json, e.SettlementId);
            Text(json, e.RegionCode);
            Text(json, e.ParameterSetId);
            if (e.ParameterSetVersion is { } version) json.WriteNumberValue(version);
            else json.WriteNullValue();
            Text(json, e.Category);
            Text(json, e.Inputs);
            Text(json, e.Trace);
            Text(json, e.Outputs);
            Text(json, e.TraceId);
            // Kind-free: providers read the same stored instant back as Utc or Unspecified.
            json.WriteStringValue(e.RecordedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture));
            json.WriteEndArray();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    public static string Chain(string before, string entryDigest) =>
        Convert.ToHexStringLower(SHA256.HashData([.. Convert.FromHexString(before), .. Convert.FromHexString(entryDigest)]));

    private static void Text(Utf8JsonWriter json, string? value)
    {
        if (value is null) json.WriteNullValue();
        else json.WriteStringValue(value);
    }
}

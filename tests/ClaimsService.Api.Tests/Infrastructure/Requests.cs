using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Domain;

namespace ClaimsService.Api.Tests.Infrastructure;

/// <summary>Request bodies and fresh identities. Suites share one database per class, so every test takes its own people and ids.</summary>
public static class Requests
{
    public const string GuilinHospital = "H4503000001";
    public const string OtherHospital = "H4503000002";
    public const string Guilin = "450300";
    public const string Guangxi = "450000";
    public const string Nanning = "450100";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly int Base = Random.Shared.Next(0, 5_000_000);
    private static int _counter;

    /// <summary>A valid resident identity number no other test uses: region prefix, a birth date and a sequence number, check digit.</summary>
    public static string NewInsuredId(string regionPrefix = "450305")
    {
        var n = Base + Interlocked.Increment(ref _counter);
        var birth = new DateOnly(1940, 1, 1).AddDays(n / 1000 % 25_000);
        return ResidentId.WithCheckDigit($"{regionPrefix}{birth:yyyyMMdd}{n % 1000:000}");
    }

    /// <summary>A valid identity number with its check digit replaced by a wrong one.</summary>
    public static string WithWrongCheckDigit(string insuredId) =>
        insuredId[..17] + (insuredId[17] == '0' ? '1' : '0');

    public static string NewSettlementId(string prefix = "GL") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>
    /// A Guilin discharge in October 2020 for a new person: by default 80 000 in-policy cost, 30 000 paid by basic
    /// insurance, so 50 000 eligible, which the Guilin 2020 set pays 23 800 (12 000 deductible, 16 800 at 60 %, 7 000 at 70 %).
    /// </summary>
    public static SettlementBody Settlement(string? insuredId = null, decimal eligible = 50_000m, string regionCode = Guilin) =>
        new(NewSettlementId(), insuredId ?? NewInsuredId(), regionCode, "2020-10-01", "2020-10-12", eligible + 30_000m, 30_000m);

    public static JsonObject Reversal(string reason = "Settled in error; hospital cancels (2208).") => new() { ["reason"] = reason };

    public static JsonObject RegistryEntry(string insuredId, string category, string validFrom = "2016-01-01", string? validTo = null,
        string regionCode = Guilin) => new()
    {
        ["insuredId"] = insuredId, ["regionCode"] = regionCode, ["category"] = category,
        ["validFrom"] = validFrom, ["validTo"] = validTo, ["source"] = "poverty registry batch (test)",
    };

    /// <summary>A one-band parameter set with an explicit deductible, for a region no reference data covers.</summary>
    public static JsonObject ParameterSet(string regionCode, string effectiveFrom = "2020-01-01", decimal deductible = 10_000m,
        decimal rate = 0.5m, string name = "Test set") => new()
    {
        ["regionCode"] = regionCode, ["name"] = name, ["policyDocument"] = "test", ["effectiveFrom"] = effectiveFrom,
        ["perCapitaIncome"] = 20_000m, ["incomeYear"] = 2019, ["deductibleRatio"] = 0.5m, ["deductible"] = deductible,
        ["bandBasis"] = "cumulative", ["bands"] = new JsonArray(new JsonObject { ["from"] = 0, ["rate"] = rate }),
        ["annualCap"] = null,
        ["categories"] = new JsonObject { ["registered_poor"] = new JsonObject { ["deductible"] = 3000m, ["rateBonus"] = 0.1m, ["capWaived"] = true } },
    };

    public static JsonObject ToJsonObject<T>(T value) => JsonSerializer.SerializeToNode(value, Json)!.AsObject();
}

/// <summary>The body of POST /v1/settlements; dates as the wire carries them.</summary>
public sealed record SettlementBody(
    string SettlementId, string InsuredId, string RegionCode, string AdmissionDate, string DischargeDate,
    decimal InPolicyCost, decimal BasicInsurancePaid, bool ReferredOutOfRegion = false)
{
    public JsonObject ToJson() => Requests.ToJsonObject(this);
}

using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Api.Parameters;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Domain;

namespace ClaimsService.Integration.Tests.Infrastructure;

/// <summary>
/// Guilin 2020 (deploy/reference-data/450300-guilin-2020.json): deductible 12 000, bands 60 % to 40 000,
/// 70 % to 60 000, 80 % above. The worked example: 50 000 eligible pays 23 800.
/// </summary>
public static class Guilin
{
    public const string Region = "450300";
    public const string Hospital = "H4503000001";
    public const int Year = 2020;
    public static readonly DateOnly Discharge = new(2020, 10, 12);
    /// <summary>The clock of <see cref="ClaimsAppFactory"/> is 2020-12-01 in China: the business day of every adjudication.</summary>
    public static readonly DateOnly BusinessDay = new(2020, 12, 1);

    private static int _people;

    /// <summary>A valid resident identity number not used before in this test run (a fresh person-year).</summary>
    public static string NewInsuredId()
    {
        var n = Interlocked.Increment(ref _people);
        var birth = new DateOnly(1950, 1, 1).AddDays(n / 1000);
        return ResidentId.WithCheckDigit($"450305{birth:yyyyMMdd}{n % 1000:000}");
    }

    public static string NewSettlementId(string prefix = "GL") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A discharge body whose eligible amount (cost − basic insurance) is <paramref name="eligible"/>.</summary>
    public static object Stay(string settlementId, string insuredId, decimal eligible) => new
    {
        settlementId, insuredId, regionCode = Region, admissionDate = "2020-10-01", dischargeDate = "2020-10-12",
        inPolicyCost = eligible + 30000.00m, basicInsurancePaid = 30000.00m, referredOutOfRegion = false,
    };

    /// <summary>The set the service has in force for these stays.</summary>
    public static ParameterSet Set(ClaimsAppFactory factory) =>
        factory.Service<ParameterSetCache>().InForce(Region, Discharge) ?? throw new InvalidOperationException("Guilin 2020 is not loaded.");

    /// <summary>What one stay of <paramref name="eligible"/> pays a general member with an empty year.</summary>
    public static decimal SingleShotPayout(ClaimsAppFactory factory, decimal eligible) =>
        Adjudicator.Price(Set(factory), PersonCategory.General, false, YearToDate.Empty, eligible).Payout;

    public static HttpClient HospitalClient(ClaimsAppFactory factory) => factory.ClientFor("hospital", Hospital);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<JsonElement> LedgerAsync(HttpClient client, string insuredId)
    {
        var response = await client.GetAsync($"/v1/ledgers/{Region}/{insuredId}/{Year}");
        response.EnsureSuccessStatusCode();
        return await response.JsonAsync();
    }
}

using System.Net;
using System.Net.Http.Json;
using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Api.Tests;

public sealed class SmokeTests(SqliteAppFactory factory) : IClassFixture<SqliteAppFactory>
{
    [Fact]
    public async Task GuilinStayOfFiftyThousandEligiblePaysTwentyThreeThousandEightHundred()
    {
        var hospital = factory.ClientFor("hospital", "H4503000001");
        var response = await hospital.PostAsJsonAsync("/v1/settlements", new
        {
            settlementId = "GL-2020-000123", insuredId = "450305198001011237", regionCode = "450300",
            admissionDate = "2020-10-01", dischargeDate = "2020-10-12", inPolicyCost = 80000.00m, basicInsurancePaid = 30000.00m,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(23800m, body.GetProperty("payout").GetDecimal());
    }
}

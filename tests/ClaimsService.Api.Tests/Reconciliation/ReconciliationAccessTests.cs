using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Api.Tests.Reconciliation;

/// <summary>Who may reconcile which region, and what a request that cannot be answered gets.</summary>
public abstract class ReconciliationAccessTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private const string Period = "from=2020-10-01&to=2020-10-31";

    private static Task<HttpResponseMessage> CallAsync(HttpClient client, string endpoint, string regionCode) => endpoint switch
    {
        "summary" => client.GetAsync($"/v1/reconciliation/summary?regionCode={regionCode}&{Period}"),
        "statement" => client.GetAsync($"/v1/reconciliation/statement?regionCode={regionCode}&{Period}&format=ndjson"),
        "summary-checks" => client.PostAsJsonAsync("/v1/reconciliation/summary-checks",
            new { regionCode, from = "2020-10-01", to = "2020-10-31", count = 0, payout = 0m }),
        "detail-checks" => client.PostAsync($"/v1/reconciliation/detail-checks?regionCode={regionCode}&{Period}",
            new StringContent("adjudicationId,payout\n", Encoding.UTF8, "text/csv")),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    public static TheoryData<string> Endpoints => ["summary", "statement", "summary-checks", "detail-checks"];

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {raw}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(raw).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AnInsurerOutsideItsContractedRegionsIsRefused(string endpoint)
    {
        var insurer = factory.ClientFor("insurer", null, "450300", "220000");
        await ProblemAsync(await CallAsync(insurer, endpoint, "460100"), HttpStatusCode.Forbidden, "region_out_of_scope");
        await ProblemAsync(await CallAsync(insurer, endpoint, "450000"), HttpStatusCode.Forbidden, "region_out_of_scope"); // a prefecture does not cover its province
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(insurer, endpoint, "450300")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(insurer, endpoint, "220100")).StatusCode); // a province covers its prefectures
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task OpsReadsEveryRegionAndHospitalsTheirOwnSettlements(string endpoint)
    {
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(factory.ClientFor("ops"), endpoint, "460100")).StatusCode);
        // Issue 13: hospitals reconcile too, scoped to their own settlements (HospitalReconciliationTests).
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(factory.ClientFor("hospital", "H4503000001"), endpoint, "460100")).StatusCode);
        await ProblemAsync(await CallAsync(factory.ClientFor("admin"), endpoint, "450300"), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAsync(await CallAsync(factory.CreateClient(), endpoint, "450300"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task InvalidPeriodsAndFormatsAreValidationProblemsWithTheirFields()
    {
        var insurer = factory.ClientFor("insurer", null, "450300");
        var statement = await ProblemAsync(await insurer.GetAsync("/v1/reconciliation/statement?regionCode=4503&from=2020-10-31&to=2020-10-01&format=xml"),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["format", "regionCode", "to"], statement.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());

        var check = await ProblemAsync(await insurer.PostAsJsonAsync("/v1/reconciliation/summary-checks",
            new { regionCode = "450300", from = "2020-10-01", to = "2021-12-01", payout = 1.234m }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["count", "payout", "to"], check.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());

        var notADate = await ProblemAsync(await insurer.PostAsync("/v1/reconciliation/summary-checks",
            new StringContent("""{"regionCode":"450300","from":"yesterday","to":"2020-10-01","count":1,"payout":1}""", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(notADate.GetProperty("errors").TryGetProperty("from", out _), notADate.ToString());

        await ProblemAsync(await insurer.GetAsync("/v1/reconciliation/summary?regionCode=450300&from=2020-10-01"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task ADetailCheckNeedsCsvOrNdjsonAndACsvHeaderNamingItsColumns()
    {
        var insurer = factory.ClientFor("insurer", null, "450300");
        var url = $"/v1/reconciliation/detail-checks?regionCode=450300&{Period}";
        var json = await ProblemAsync(await insurer.PostAsync(url, new StringContent("[]", Encoding.UTF8, "application/json")),
            HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        // One 415 answer in the service: the detail check's is the one routing gives a JSON endpoint sent text/plain.
        var shared = await ProblemAsync(await factory.ClientFor("hospital", "H4503000001").PostAsync("/v1/settlements",
            new StringContent("{}", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Equal(shared.GetProperty("title").GetString(), json.GetProperty("title").GetString());
        Assert.Equal(shared.GetProperty("detail").GetString(), json.GetProperty("detail").GetString());
        await ProblemAsync(await insurer.PostAsync(url, new StringContent("adjudicationId,payout\n", Encoding.Latin1, "text/csv")),
            HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        var header = await ProblemAsync(await insurer.PostAsync(url, new StringContent("id,amount\nx,1\n", Encoding.UTF8, "text/csv")),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(header.GetProperty("errors").TryGetProperty("body", out _));

        var empty = await insurer.PostAsync(url, new StringContent("", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Contains("\"insurerRows\":0", await empty.Content.ReadAsStringAsync());
    }
}

public sealed class SqliteReconciliationAccessTests(SqliteAppFactory factory) : ReconciliationAccessTests<SqliteAppFactory>(factory);

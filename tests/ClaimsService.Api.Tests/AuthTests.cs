using System.Net;
using System.Net.Http.Headers;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>Who may call what: a missing or unknown key is 401, a role or scope that does not cover the call is 403, both problem+json.</summary>
public abstract class AuthTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private static readonly string Person = NewInsuredId();

    public static TheoryData<string, string> V1Calls => new()
    {
        { "POST", "/v1/settlements" },
        { "POST", "/v1/settlements/preview" },
        { "GET", "/v1/settlements/GL-1" },
        { "POST", "/v1/settlements/GL-1/reversal" },
        { "GET", $"/v1/ledgers/450300/{Person}/2020" },
        { "POST", "/v1/parameter-sets" },
        { "GET", "/v1/parameter-sets" },
        { "GET", "/v1/parameter-sets/some-id" },
        { "POST", "/v1/registry/entries" },
        { "GET", "/v1/reconciliation/summary?regionCode=450300&from=2020-12-01&to=2020-12-01" },
    };

    [Theory]
    [MemberData(nameof(V1Calls))]
    public async Task EveryV1CallWithoutAKeyIsUnauthorized(string method, string url)
    {
        var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = method == "POST" ? new StringContent("{}", System.Text.Encoding.UTF8, "application/json") : null,
        });

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");
    }

    [Fact]
    public async Task ASettlementWithoutAKeyIsUnauthorizedAndWritesNothing()
    {
        var body = Settlement();

        var response = await factory.CreateClient().PostJsonAsync("/v1/settlements", body);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await factory.ClientFor("hospital", GuilinHospital).ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
    }

    [Theory]
    [InlineData("ApiKey csk_not-a-key-anyone-was-given")]
    [InlineData("ApiKey ")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.e30.x")]
    public async Task AnUnknownOrMalformedKeyIsUnauthorized(string authorization)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        var body = Settlement();

        var response = await client.PostJsonAsync("/v1/settlements", body);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await factory.ClientFor("hospital", GuilinHospital).ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
    }

    [Fact]
    public async Task AKeyIsRecognisedOnlyWhole()
    {
        var hospital = factory.ClientFor("hospital", GuilinHospital);
        var key = hospital.DefaultRequestHeaders.Authorization!.Parameter!;
        var truncated = factory.CreateClient();
        truncated.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key[..^1]);

        await (await truncated.GetAsync("/v1/parameter-sets")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await hospital.GetAsync("/v1/parameter-sets")).ShouldBeAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("insurer")]
    [InlineData("ops")]
    [InlineData("admin")]
    public async Task OnlyAHospitalMaySettleAndAnyOtherRoleWritesNothing(string role)
    {
        var client = factory.ClientFor(role, null, role == "insurer" ? [Guangxi] : []);
        var body = Settlement();

        await (await client.PostJsonAsync("/v1/settlements", body)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await factory.ClientFor("hospital", GuilinHospital).ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
    }

    [Fact]
    public async Task AHospitalKeyWithoutAHospitalCodeMayNotSettle() =>
        await (await factory.ClientFor("hospital").PostJsonAsync("/v1/settlements", Settlement()))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");

    [Fact]
    public async Task AHospitalMayNotPublishParameterSets()
    {
        var hospital = factory.ClientFor("hospital", GuilinHospital);

        await (await hospital.PostJsonAsync("/v1/parameter-sets", ParameterSet("450381")))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var listed = await (await hospital.GetAsync("/v1/parameter-sets?regionCode=450381")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(0, listed.GetArrayLength());
    }

    [Fact]
    public async Task AHospitalMayNotRecordRegistryEntries()
    {
        var hospital = factory.ClientFor("hospital", GuilinHospital);
        var person = NewInsuredId();

        await (await hospital.PostJsonAsync("/v1/registry/entries", new System.Text.Json.Nodes.JsonArray(RegistryEntry(person, "registered_poor"))))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var preview = await (await hospital.PostJsonAsync("/v1/settlements/preview", Settlement(person))).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal("general", preview.Text("category"));
    }

    [Theory]
    [InlineData("insurer")]
    [InlineData("admin")]
    public async Task OnlyHospitalsAndOpsMayReadLedgers(string role)
    {
        var client = factory.ClientFor(role, null, role == "insurer" ? [Guangxi] : []);

        await (await client.GetAsync($"/v1/ledgers/{Guilin}/{NewInsuredId()}/2020")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await factory.ClientFor("ops").GetAsync($"/v1/ledgers/{Guilin}/{NewInsuredId()}/2020")).ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnAdminMayNotReadReconciliation() =>
        await (await factory.ClientFor("admin").GetAsync("/v1/reconciliation/summary?regionCode=450300&from=2020-12-01&to=2020-12-01"))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");

    [Theory]
    [InlineData("450000", "530000")] // another province
    [InlineData("450300", "450100")] // a prefecture does not cover its neighbour
    [InlineData("450300", "450000")] // nor its province
    public async Task AnInsurerMayNotReadARegionOutsideItsContract(string contracted, string asked)
    {
        var insurer = factory.ClientFor("insurer", null, contracted);

        var response = await insurer.GetAsync($"/v1/reconciliation/summary?regionCode={asked}&from=2020-12-01&to=2020-12-01");

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "region_out_of_scope");
    }

    [Fact]
    public async Task EveryRoleMayReadParameterSets()
    {
        foreach (var client in new[]
                 {
                     factory.ClientFor("hospital", GuilinHospital), factory.ClientFor("insurer", null, Guangxi),
                     factory.ClientFor("ops"), factory.ClientFor("admin"),
                 })
            await (await client.GetAsync("/v1/parameter-sets?regionCode=450300")).ShouldBeAsync(HttpStatusCode.OK);
    }
}

public sealed class SqliteAuthTests(SqliteAppFactory f) : AuthTests<SqliteAppFactory>(f);

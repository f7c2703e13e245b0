using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>
/// /v1/parameter-sets: publishing versions, which set is in force on a date (corrections, later dates, the province
/// fallback), reading. Each test publishes for a Guangxi county of its own so that the shared database stays predictable.
/// </summary>
public abstract class ParameterSetsApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _admin = factory.ClientFor("admin");
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task PublishingASetAnswersCreatedWithItsIdVersionAndPublicationTime()
    {
        var response = await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet("450321", deductible: 10_000m, rate: 0.55m));

        var set = await response.ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal($"/v1/parameter-sets/{set.Text("id")}", response.Headers.Location?.OriginalString);
        Assert.Equal(1, set.GetProperty("version").GetInt32());
        Assert.Equal("450321", set.Text("regionCode"));
        Assert.Equal("2020-01-01", set.Text("effectiveFrom"));
        Assert.Equal(factory.Time.GetUtcNow(), set.GetProperty("publishedAt").GetDateTimeOffset());
        Assert.Equal(10_000m, set.Money("effectiveDeductible"));
        Assert.Equal(0.55m, Assert.Single(set.GetProperty("bands").EnumerateArray()).Money("rate"));
        Assert.Equal(3_000m, set.GetProperty("categories").GetProperty("registered_poor").Money("deductible"));
    }

    [Fact]
    public async Task EachPublicationTakesTheNextVersionOfItsOwnRegion()
    {
        var first = await PublishAsync(ParameterSet("450322"));
        var second = await PublishAsync(ParameterSet("450322", effectiveFrom: "2020-06-01"));
        var elsewhere = await PublishAsync(ParameterSet("450323"));

        Assert.Equal((1, 2, 1), (first.GetProperty("version").GetInt32(), second.GetProperty("version").GetInt32(), elsewhere.GetProperty("version").GetInt32()));
        Assert.NotEqual(first.Text("id"), second.Text("id"));
        var listed = await ListAsync("?regionCode=450322");
        Assert.Equal([1, 2], listed.Select(s => s.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task ACorrectionWithTheSameEffectiveDateSupersedesForNewSettlementsOnly()
    {
        const string region = "450324";
        var original = await PublishAsync(ParameterSet(region, deductible: 10_000m));
        var before = Settlement(NewInsuredId(region), regionCode: region);
        // (50 000 − 10 000) × 50 %.
        Assert.Equal(20_000m, (await SettleAsync(before)).Money("payout"));

        var correction = await PublishAsync(ParameterSet(region, deductible: 8_000m, name: "Test set, corrected"));

        var after = await SettleAsync(Settlement(NewInsuredId(region), regionCode: region));
        Assert.Equal(correction.Text("id"), after.GetProperty("parameterSet").Text("id"));
        Assert.Equal(2, after.GetProperty("parameterSet").GetProperty("version").GetInt32());
        Assert.Equal((8_000m, 21_000m), (after.Money("deductible"), after.Money("payout")));
        var stored = await (await _hospital.GetAsync($"/v1/settlements/{before.SettlementId}")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal((original.Text("id"), 20_000m), (stored.GetProperty("parameterSet").Text("id"), stored.Money("payout")));
        Assert.Equal(correction.Text("id"), Assert.Single(await ListAsync($"?regionCode={region}&onDate=2020-10-12")).Text("id"));
    }

    [Fact]
    public async Task ASetWithALaterEffectiveDateIsInForceOnlyFromThatDate()
    {
        const string region = "450325";
        var autumn = await PublishAsync(ParameterSet(region, effectiveFrom: "2020-01-01", deductible: 10_000m));
        var winter = await PublishAsync(ParameterSet(region, effectiveFrom: "2020-11-01", deductible: 5_000m));

        Assert.Equal(autumn.Text("id"), Assert.Single(await ListAsync($"?regionCode={region}&onDate=2020-10-31")).Text("id"));
        Assert.Equal(winter.Text("id"), Assert.Single(await ListAsync($"?regionCode={region}&onDate=2020-11-01")).Text("id"));
        var person = NewInsuredId(region);
        var october = await SettleAsync(Settlement(person, regionCode: region));
        var november = await SettleAsync(Settlement(NewInsuredId(region), regionCode: region) with { AdmissionDate = "2020-11-10", DischargeDate = "2020-11-15" });
        Assert.Equal((10_000m, 5_000m), (october.Money("deductible"), november.Money("deductible")));
    }

    [Fact]
    public async Task ListingNanningOnADateAnswersTheGuangxiSetBecauseNanningHasNone()
    {
        var set = Assert.Single(await ListAsync($"?regionCode={Nanning}&onDate=2020-10-12"));

        Assert.Equal(Guangxi, set.Text("regionCode"));
        Assert.Equal("Guangxi 2020", set.Text("name"));
        Assert.Equal(11_664.11m, set.Money("effectiveDeductible"));
    }

    [Fact]
    public async Task ListingNanningBeforeTheGuangxiSetAnswersNothing() =>
        Assert.Empty(await ListAsync($"?regionCode={Nanning}&onDate=2020-07-08"));

    [Fact]
    public async Task ListingGuilinOnADateAnswersGuilinsOwnSet()
    {
        var set = Assert.Single(await ListAsync($"?regionCode={Guilin}&onDate=2020-10-12"));

        Assert.Equal((Guilin, "Guilin 2020", 12_000m), (set.Text("regionCode"), set.Text("name"), set.Money("effectiveDeductible")));
        Assert.Equal([0m, 40_000m, 60_000m], set.GetProperty("bands").EnumerateArray().Select(b => b.Money("from")));
    }

    [Fact]
    public async Task ListingARegionWithoutADateAnswersEveryVersion()
    {
        var yunnan = await ListAsync("?regionCode=530000");

        Assert.Equal(["Yunnan 2018", "Yunnan 2020"], yunnan.Select(s => s.Text("name")).Order());
        Assert.All(yunnan, s => Assert.Equal("530000", s.Text("regionCode")));
    }

    [Fact]
    public async Task ListingWithABadRegionCodeIsRefused() =>
        await (await _admin.GetAsync("/v1/parameter-sets?regionCode=45")).ShouldBeValidationProblemAsync("regionCode");

    [Fact]
    public async Task ReadingASetByIdAnswersIt()
    {
        var listed = Assert.Single(await ListAsync($"?regionCode={Guilin}&onDate=2020-10-12"));

        var read = await (await _hospital.GetAsync($"/v1/parameter-sets/{listed.Text("id")}")).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(listed.ToString(), read.ToString());
    }

    [Fact]
    public async Task ReadingAnUnknownSetAnswersNotFound() =>
        await (await _admin.GetAsync($"/v1/parameter-sets/{Guid.NewGuid()}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "parameter_set_not_found");

    [Theory]
    [InlineData("bands", "null", "bands")]
    [InlineData("bands", """[{"from":1000,"rate":0.6}]""", "bands")]
    [InlineData("bands", """[{"from":0,"rate":0.6},{"from":0,"rate":0.7}]""", "bands")]
    [InlineData("bands", """[{"from":0,"rate":1.5}]""", "bands[0].rate")]
    [InlineData("bandBasis", "\"sideways\"", "bandBasis")]
    [InlineData("deductibleRatio", "1.5", "deductibleRatio")]
    [InlineData("deductible", "-1", "deductible")]
    [InlineData("deductible", "1000.001", "deductible")]
    [InlineData("effectiveFrom", "null", "effectiveFrom")]
    [InlineData("name", "\"\"", "name")]
    [InlineData("categories", """{"vip":{"rateBonus":0.1}}""", "categories.vip")]
    [InlineData("categories", """{"registered_poor":{"deductible":3000,"deductibleFactor":0.5}}""", "categories.registered_poor")]
    [InlineData("annualCap", "\"none\"", "annualCap")]
    [InlineData("combinedRateCap", "0", "combinedRateCap")]
    [InlineData("combinedRateCap", "1.5", "combinedRateCap")]
    [InlineData("policyYearBy", "\"arrival\"", "policyYearBy")]
    public async Task AnInvalidSetIsRefusedAndNothingIsPublished(string property, string json, string field)
    {
        const string region = "450326";
        var body = ParameterSet(region);
        body[property] = JsonNode.Parse(json);

        await (await _admin.PostJsonAsync("/v1/parameter-sets", body)).ShouldBeValidationProblemAsync(field);

        Assert.Empty(await ListAsync($"?regionCode={region}"));
    }

    [Fact]
    public async Task PolicyYearByAndCombinedRateCapAreStoredAndReadBack()
    {
        var body = ParameterSet("450327");
        body["policyYearBy"] = "admission";
        body["combinedRateCap"] = 0.9m;

        var published = await PublishAsync(body);
        var read = await (await _admin.GetAsync($"/v1/parameter-sets/{published.Text("id")}")).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(("admission", 0.9m), (published.Text("policyYearBy"), published.Money("combinedRateCap")));
        Assert.Equal(("admission", 0.9m), (read.Text("policyYearBy"), read.Money("combinedRateCap")));
    }

    [Fact]
    public async Task ASetWithoutThemDecidesByDischargeWithNoCombinedLimit()
    {
        var published = await PublishAsync(ParameterSet("450328"));

        Assert.Equal("discharge", published.Text("policyYearBy"));
        Assert.False(published.TryGetProperty("combinedRateCap", out var cap) && cap.ValueKind != JsonValueKind.Null);
    }

    private async Task<JsonElement> PublishAsync(JsonObject set) =>
        await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeAsync(HttpStatusCode.Created);

    private async Task<JsonElement> SettleAsync(SettlementBody body) =>
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

    private async Task<List<JsonElement>> ListAsync(string query) =>
        (await (await _admin.GetAsync($"/v1/parameter-sets{query}")).ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
}

public sealed class SqliteParameterSetsApiTests(SqliteAppFactory f) : ParameterSetsApiTests<SqliteAppFactory>(f);

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>POST /v1/registry/entries: a person's category comes from the registry on the discharge date, the most favourable one wins.</summary>
public abstract class RegistryApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _admin = factory.ClientFor("admin");
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task ARegisteredPoorPersonInGuilinGetsTheLowerDeductibleAndTenPointsMore()
    {
        var person = NewInsuredId();
        var recorded = await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(RegistryEntry(person, "registered_poor"))))
            .ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal(1, recorded.GetProperty("recorded").GetInt32());

        var settled = await SettleAsync(person);

        Assert.Equal("registered_poor", settled.Text("category"));
        Assert.Equal(3_000m, settled.Money("deductible"));
        var trace = settled.GetProperty("trace").EnumerateArray().Select(s => (s.Money("from"), s.Money("to"), s.Money("rate"), s.Money("amount"))).ToList();
        Assert.Equal([(3_000m, 40_000m, 0.7m, 25_900m), (40_000m, 50_000m, 0.8m, 8_000m)], trace);
        Assert.Equal(33_900m, settled.Money("payout"));
    }

    [Fact]
    public async Task WhenSeveralCategoriesApplyTheOneThatPaysMostIsUsedAndNamed()
    {
        var person = NewInsuredId();
        // marginal has no Guilin terms (it pays like general) and comes first: only the payout may decide.
        await RecordAsync(RegistryEntry(person, "marginal"), RegistryEntry(person, "registered_poor", validFrom: "2019-01-01"));

        var settled = await SettleAsync(person);

        Assert.Equal(("registered_poor", 33_900m), (settled.Text("category"), settled.Money("payout")));
    }

    [Theory]
    [InlineData("2016-01-01", "2020-10-11")] // left the category the day before discharge
    [InlineData("2020-10-13", null)] // entered it the day after
    public async Task AnEntryThatDoesNotCoverTheDischargeDateDoesNotApply(string validFrom, string? validTo)
    {
        var person = NewInsuredId();
        await RecordAsync(RegistryEntry(person, "registered_poor", validFrom, validTo));

        var settled = await SettleAsync(person);

        Assert.Equal(("general", 23_800m), (settled.Text("category"), settled.Money("payout")));
    }

    [Theory]
    [InlineData("2016-01-01", "2020-10-12")]
    [InlineData("2020-10-12", null)]
    public async Task AnEntryAppliesOnItsFirstAndLastDays(string validFrom, string? validTo)
    {
        var person = NewInsuredId();
        await RecordAsync(RegistryEntry(person, "registered_poor", validFrom, validTo));

        Assert.Equal("registered_poor", (await SettleAsync(person)).Text("category"));
    }

    [Fact]
    public async Task AnEntryRecordedAtProvinceLevelAppliesInItsPrefectures()
    {
        var person = NewInsuredId();
        await RecordAsync(RegistryEntry(person, "poverty_monitored", regionCode: Guangxi));

        var settled = await SettleAsync(person);

        Assert.Equal(("poverty_monitored", 3_000m, 33_900m), (settled.Text("category"), settled.Money("deductible"), settled.Money("payout")));
    }

    [Fact]
    public async Task AnEntryOfAnotherPrefectureDoesNotApply()
    {
        var person = NewInsuredId();
        await RecordAsync(RegistryEntry(person, "registered_poor", regionCode: Nanning));

        Assert.Equal("general", (await SettleAsync(person)).Text("category"));
    }

    [Fact]
    public async Task ABatchWithAnUnknownCategoryIsRefusedWhole()
    {
        var person = NewInsuredId();
        var batch = new JsonArray(RegistryEntry(person, "registered_poor"), RegistryEntry(person, "very_poor"));

        await (await _admin.PostJsonAsync("/v1/registry/entries", batch)).ShouldBeValidationProblemAsync("[1].category");

        // All or none: the valid first entry was not recorded either.
        var preview = await (await _hospital.PostJsonAsync("/v1/settlements/preview", Settlement(person))).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(("general", 23_800m), (preview.Text("category"), preview.Money("payout")));
    }

    [Theory]
    [InlineData("insuredId", "\"450305198001011230\"", "[0].insuredId")]
    [InlineData("regionCode", "\"450\"", "[0].regionCode")]
    [InlineData("category", "null", "[0].category")]
    [InlineData("validFrom", "null", "[0].validFrom")]
    [InlineData("validTo", "\"2015-12-31\"", "[0].validTo")]
    public async Task AnInvalidEntryIsRefusedAndNothingIsRecorded(string property, string json, string field)
    {
        var person = NewInsuredId();
        var entry = RegistryEntry(person, "registered_poor");
        entry[property] = JsonNode.Parse(json);

        await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(entry))).ShouldBeValidationProblemAsync(field);

        var preview = await (await _hospital.PostJsonAsync("/v1/settlements/preview", Settlement(person))).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal("general", preview.Text("category"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"insuredId":"x"}""")]
    [InlineData("[{")]
    public async Task ABodyThatIsNotANonEmptyArrayIsRefused(string body) =>
        await (await _admin.PostRawAsync("/v1/registry/entries", body)).ShouldBeValidationProblemAsync("body");

    [Fact]
    public async Task ABatchOverOneMebibyteIsRefusedWithPayloadTooLargeAndRecordsNothing()
    {
        var person = NewInsuredId();
        var batch = new JsonArray(RegistryEntry(person, "registered_poor"));
        var size = batch.ToJsonString().Length;
        while (size <= 1024 * 1024)
        {
            var entry = RegistryEntry(NewInsuredId(), "subsistence");
            size += entry.ToJsonString().Length + 1;
            batch.Add(entry);
        }

        await (await _admin.PostJsonAsync("/v1/registry/entries", batch)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        var preview = await (await _hospital.PostJsonAsync("/v1/settlements/preview", Settlement(person))).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal("general", preview.Text("category"));
    }

    private async Task RecordAsync(params JsonObject[] entries) =>
        await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(entries))).ShouldBeAsync(HttpStatusCode.Created);

    private async Task<JsonElement> SettleAsync(string person) =>
        await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(person))).ShouldBeAsync(HttpStatusCode.Created);
}

public sealed class SqliteRegistryApiTests(SqliteAppFactory f) : RegistryApiTests<SqliteAppFactory>(f);

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>
/// The registry's lifecycle (api.md "Registry", rules.md "Changes after the fact"): a person's entries with their history,
/// ending, retraction, idempotent batches, and how many settled person-years each change touches; publishing a backdated
/// parameter set answers the same.
/// </summary>
public abstract class RegistryLifecycleApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _admin = factory.ClientFor("admin");
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task APersonsEntriesAreListedWithTheirHistory()
    {
        var person = NewInsuredId();
        await RecordAsync(RegistryEntry(person, "registered_poor"), RegistryEntry(person, "subsistence", "2019-01-01", "2019-12-31", Guangxi));

        var all = await EntriesAsync(person);
        var inGuilin = await EntriesAsync(person, Guilin);

        Assert.Equal([("registered_poor", Guilin), ("subsistence", Guangxi)], all.Select(e => (e.Text("category"), e.Text("regionCode"))));
        var entry = Assert.Single(inGuilin);
        Assert.Equal((person, "active", "2016-01-01", "poverty registry batch (test)"), (entry.Text("insuredId"), entry.Text("status"), entry.Text("validFrom"), entry.Text("source")));
        Assert.False(entry.TryGetProperty("validTo", out var open) && open.ValueKind != JsonValueKind.Null);
        Assert.Equal(factory.Time.GetUtcNow(), entry.GetProperty("recordedAt").GetDateTimeOffset());
        Assert.Equal("recorded", Assert.Single(entry.GetProperty("history").EnumerateArray()).Text("action"));
    }

    [Fact]
    public async Task ABatchSentTwiceIsRecordedOnce()
    {
        var person = NewInsuredId();
        var batch = new JsonArray(RegistryEntry(person, "registered_poor"), RegistryEntry(person, "marginal", "2020-01-01", "2020-12-31"));

        var first = await (await _admin.PostJsonAsync("/v1/registry/entries", batch.DeepClone())).ShouldBeAsync(HttpStatusCode.Created);
        var again = await (await _admin.PostJsonAsync("/v1/registry/entries", batch.DeepClone())).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal((2, 0), (first.GetProperty("recorded").GetInt32(), first.GetProperty("unchanged").GetInt32()));
        Assert.Equal((0, 2), (again.GetProperty("recorded").GetInt32(), again.GetProperty("unchanged").GetInt32()));
        Assert.Equal(2, (await EntriesAsync(person)).Count);
    }

    [Fact]
    public async Task TheSameBatchSentManyTimesAtOnceIsRecordedOnce()
    {
        // A region's system retrying a batch whose answer it did not see while the first is still being recorded; the batch's
        // people in another order in each copy, so copies also meet person by person.
        var people = Enumerable.Range(0, 40).Select(_ => NewInsuredId()).ToList();
        var copies = Enumerable.Range(0, 8).Select(i =>
            new JsonArray(people.OrderBy(p => (p.GetHashCode() ^ i) * (i + 1)).Select(p => (JsonNode)RegistryEntry(p, "registered_poor")).ToArray())).ToList();

        var outcomes = await Task.WhenAll(copies.Select(async batch =>
            await (await _admin.PostJsonAsync("/v1/registry/entries", batch)).ShouldBeAsync(HttpStatusCode.Created)));

        Assert.Equal((people.Count, people.Count * (copies.Count - 1)),
            (outcomes.Sum(o => o.GetProperty("recorded").GetInt32()), outcomes.Sum(o => o.GetProperty("unchanged").GetInt32())));
        foreach (var person in people) Assert.Single(await EntriesAsync(person));
    }

    [Fact]
    public async Task SimultaneousEndsOfOneEntryOnOneDayAreOneChange()
    {
        var person = NewInsuredId();
        await RecordAsync(RegistryEntry(person, "registered_poor"));
        var id = Assert.Single(await EntriesAsync(person)).GetProperty("id").GetRawText();

        var ends = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            _admin.PostJsonAsync($"/v1/registry/entries/{id}/end", new JsonObject { ["validTo"] = "2020-06-30", ["reason"] = "left 低保" })));

        Assert.All(ends, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var history = Assert.Single(await EntriesAsync(person)).GetProperty("history").EnumerateArray().Select(h => h.Text("action")).ToList();
        Assert.Equal(["recorded", "ended"], history);
    }

    [Fact]
    public async Task TheSameEntryTwiceInOneBatchIsRecordedOnce()
    {
        var person = NewInsuredId();
        var outcome = await (await _admin.PostJsonAsync("/v1/registry/entries",
            new JsonArray(RegistryEntry(person, "registered_poor"), RegistryEntry(person, "registered_poor")))).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal((1, 1), (outcome.GetProperty("recorded").GetInt32(), outcome.GetProperty("unchanged").GetInt32()));
    }

    [Fact]
    public async Task AnEndedEntryNoLongerAppliesAfterItsLastDay()
    {
        var person = NewInsuredId();
        var id = await RecordOneAsync(RegistryEntry(person, "registered_poor"));

        var ended = await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/end", new JsonObject { ["validTo"] = "2020-10-11", ["reason"] = "脱贫 2020-10" }))
            .ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(("2020-10-11", "active", 0), (ended.Text("validTo"), ended.Text("status"), ended.GetProperty("affectedPersonYears").GetInt32()));
        var history = ended.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["recorded", "ended"], history.Select(h => h.Text("action")));
        Assert.Equal(("2020-10-11", "脱贫 2020-10"), (history[1].Text("validTo"), history[1].Text("reason")));
        Assert.Equal(("general", 23_800m), await PreviewAsync(person));
        Assert.Equal("general", (await SettleAsync(person)).Text("category"));
    }

    [Fact]
    public async Task AnEntryEndedOnTheDischargeDateStillApplies()
    {
        var person = NewInsuredId();
        var id = await RecordOneAsync(RegistryEntry(person, "registered_poor"));
        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/end", new JsonObject { ["validTo"] = "2020-10-12" })).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal("registered_poor", (await SettleAsync(person)).Text("category"));
    }

    [Fact]
    public async Task AnEndBeforeTheFirstDayIsRefusedAndChangesNothing()
    {
        var person = NewInsuredId();
        var id = await RecordOneAsync(RegistryEntry(person, "registered_poor", validFrom: "2020-01-01"));

        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/end", new JsonObject { ["validTo"] = "2019-12-31" }))
            .ShouldBeValidationProblemAsync("validTo");
        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/end", new JsonObject { ["reason"] = "no date" }))
            .ShouldBeValidationProblemAsync("validTo");

        var entry = Assert.Single(await EntriesAsync(person));
        Assert.False(entry.TryGetProperty("validTo", out var to) && to.ValueKind != JsonValueKind.Null);
        Assert.Single(entry.GetProperty("history").EnumerateArray());
    }

    [Fact]
    public async Task ARetractedEntryNeverAppliesAndIsStillListed()
    {
        var person = NewInsuredId();
        var id = await RecordOneAsync(RegistryEntry(person, "registered_poor"));

        var retracted = await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/retraction", new JsonObject { ["reason"] = "wrong person" }))
            .ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(("retracted", 0), (retracted.Text("status"), retracted.GetProperty("affectedPersonYears").GetInt32()));
        Assert.Equal(("general", 23_800m), await PreviewAsync(person));
        Assert.Equal("general", (await SettleAsync(person)).Text("category"));
        var listed = Assert.Single(await EntriesAsync(person));
        Assert.Equal(["recorded", "retracted"], listed.GetProperty("history").EnumerateArray().Select(h => h.Text("action")));
        Assert.Equal("wrong person", listed.GetProperty("history")[1].Text("reason"));
    }

    [Fact]
    public async Task ARetractedEntryCannotEndAndRetractingItAgainChangesNothing()
    {
        var person = NewInsuredId();
        var id = await RecordOneAsync(RegistryEntry(person, "registered_poor"));
        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/retraction", new JsonObject { ["reason"] = "wrong" })).ShouldBeAsync(HttpStatusCode.OK);

        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/end", new JsonObject { ["validTo"] = "2020-06-30" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "registry_entry_retracted");
        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/retraction", new JsonObject { ["reason"] = "again" })).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(2, Assert.Single(await EntriesAsync(person)).GetProperty("history").GetArrayLength());
    }

    [Theory]
    [InlineData("999999999")]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task AnUnknownEntryIsNotFound(string id)
    {
        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/end", new JsonObject { ["validTo"] = "2020-06-30" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "registry_entry_not_found");
        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/retraction", new JsonObject { ["reason"] = "x" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "registry_entry_not_found");
    }

    [Fact]
    public async Task ARetractionNeedsAReason()
    {
        var id = await RecordOneAsync(RegistryEntry(NewInsuredId(), "registered_poor"));
        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/retraction", new JsonObject())).ShouldBeValidationProblemAsync("reason");
        await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/retraction", new JsonObject { ["reason"] = "a\u0000b" })).ShouldBeValidationProblemAsync("reason");
    }

    [Theory]
    [InlineData("insuredId=450305198001011230")]
    [InlineData("")]
    [InlineData("insuredId=450305198001011235&regionCode=45")]
    public async Task AListingWithABadQueryIsRefused(string query) =>
        await (await _admin.GetAsync($"/v1/registry/entries?{query}")).ShouldBeValidationProblemAsync(query.Contains("regionCode") ? "regionCode" : "insuredId");

    [Fact]
    public async Task ChangesCountTheSettledPersonYearsInsideTheChangedDates()
    {
        var person = NewInsuredId();
        var id = await RecordOneAsync(RegistryEntry(person, "registered_poor"));
        await SettleAsync(person); // discharged 2020-10-12

        // A late entry around the discharge date touches the person-year; one after it does not.
        var late = await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(RegistryEntry(person, "subsistence", "2020-10-01"))))
            .ShouldBeAsync(HttpStatusCode.Created);
        var later = await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(RegistryEntry(person, "marginal", "2020-10-13"))))
            .ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal((1, 0), (late.GetProperty("affectedPersonYears").GetInt32(), later.GetProperty("affectedPersonYears").GetInt32()));

        // Ending after the discharge date changes no settled day; ending before it does.
        var endAfter = await EndAsync(id, "2020-12-31");
        var endBefore = await EndAsync(id, "2020-06-30");
        Assert.Equal((0, 1), (endAfter, endBefore));

        var retracted = await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/retraction", new JsonObject { ["reason"] = "wrong" }))
            .ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(0, retracted.GetProperty("affectedPersonYears").GetInt32()); // ended on 2020-06-30: no settled day inside
    }

    [Fact]
    public async Task AReversedStayIsNotCounted()
    {
        var person = NewInsuredId();
        var id = await RecordOneAsync(RegistryEntry(person, "registered_poor"));
        var body = Settlement(person);
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
        await (await _hospital.PostJsonAsync($"/v1/settlements/{body.SettlementId}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);

        var retracted = await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/retraction", new JsonObject { ["reason"] = "wrong" }))
            .ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(0, retracted.GetProperty("affectedPersonYears").GetInt32());
    }

    [Fact]
    public async Task AProvinceEntryCountsThePersonYearsOfItsPrefectures()
    {
        var person = NewInsuredId();
        await SettleAsync(person);

        var outcome = await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(RegistryEntry(person, "poverty_monitored", regionCode: Guangxi))))
            .ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal(1, outcome.GetProperty("affectedPersonYears").GetInt32());
    }

    [Fact]
    public async Task PublishingABackdatedSetAnswersTheSettledPersonYearsOfItsRegion()
    {
        const string region = "880100";
        var first = await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region))).ShouldBeAsync(HttpStatusCode.Created);
        await SettleAsync(NewInsuredId("880101"), region);
        await SettleAsync(NewInsuredId("880101"), region);

        var backdated = await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region, effectiveFrom: "2020-06-01", rate: 0.6m))).ShouldBeAsync(HttpStatusCode.Created);
        var afterTheStays = await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region, effectiveFrom: "2020-11-01"))).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal((0, 2, 0), (first.GetProperty("affectedPersonYears").GetInt32(), backdated.GetProperty("affectedPersonYears").GetInt32(),
            afterTheStays.GetProperty("affectedPersonYears").GetInt32()));
        // Only the answer to publishing carries it.
        var read = await (await _admin.GetAsync($"/v1/parameter-sets/{backdated.Text("id")}")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.False(read.TryGetProperty("affectedPersonYears", out _));
    }

    [Fact]
    public async Task AProvinceSetCountsItsPrefecturesThatHaveNoSetOfTheirOwn()
    {
        const string province = "870000", prefecture = "870100";
        await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(province))).ShouldBeAsync(HttpStatusCode.Created);
        await SettleAsync(NewInsuredId("870101"), prefecture); // priced with the province's set

        var provinceWide = await PublishAffectedAsync(ParameterSet(province, effectiveFrom: "2020-03-01"));
        var own = await PublishAffectedAsync(ParameterSet(prefecture, effectiveFrom: "2020-01-01"));
        var provinceAgain = await PublishAffectedAsync(ParameterSet(province, effectiveFrom: "2020-04-01"));

        Assert.Equal((1, 1, 0), (provinceWide, own, provinceAgain));
    }

    private async Task<int> PublishAffectedAsync(JsonObject set) =>
        (await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeAsync(HttpStatusCode.Created)).GetProperty("affectedPersonYears").GetInt32();

    private async Task<int> EndAsync(long id, string validTo) =>
        (await (await _admin.PostJsonAsync($"/v1/registry/entries/{id}/end", new JsonObject { ["validTo"] = validTo })).ShouldBeAsync(HttpStatusCode.OK))
        .GetProperty("affectedPersonYears").GetInt32();

    private async Task RecordAsync(params JsonObject[] entries) =>
        await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(entries))).ShouldBeAsync(HttpStatusCode.Created);

    private async Task<long> RecordOneAsync(JsonObject entry)
    {
        await RecordAsync(entry);
        return (await EntriesAsync(entry["insuredId"]!.GetValue<string>())).Last().GetProperty("id").GetInt64();
    }

    private async Task<List<JsonElement>> EntriesAsync(string person, string? region = null)
    {
        var url = $"/v1/registry/entries?insuredId={person}" + (region is null ? "" : $"&regionCode={region}");
        return (await (await _admin.GetAsync(url)).ShouldBeAsync(HttpStatusCode.OK)).GetProperty("entries").EnumerateArray().ToList();
    }

    private async Task<(string, decimal)> PreviewAsync(string person)
    {
        var preview = await (await _hospital.PostJsonAsync("/v1/settlements/preview", Settlement(person))).ShouldBeAsync(HttpStatusCode.OK);
        return (preview.Text("category"), preview.Money("payout"));
    }

    private async Task<JsonElement> SettleAsync(string person, string region = Guilin) =>
        await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(person, regionCode: region))).ShouldBeAsync(HttpStatusCode.Created);
}

public sealed class SqliteRegistryLifecycleApiTests(SqliteAppFactory f) : RegistryLifecycleApiTests<SqliteAppFactory>(f);

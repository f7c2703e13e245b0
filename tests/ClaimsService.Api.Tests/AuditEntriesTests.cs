using System.Net;
using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>GET /v1/audit/entries: every kind of entry, to the auditor of its region and an admin only, oldest first, paged once through.</summary>
public abstract class AuditEntriesTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    [Fact]
    public async Task EveryKindOfEntryIsReadableByAnAuditorOfItsRegionAndAnAdminOnly()
    {
        var hospitalCode = NewHospitalCode();
        var hospital = factory.ClientFor("hospital", hospitalCode);
        var person = NewInsuredId();
        var earlier = Settlement(person, 50_000m);
        var later = Settlement(person, 30_000m);
        await (await hospital.PostJsonAsync("/v1/settlements/preview", earlier)).ShouldBeAsync(HttpStatusCode.OK);
        await (await hospital.PostJsonAsync("/v1/settlements", earlier)).ShouldBeAsync(HttpStatusCode.Created);
        await (await hospital.PostJsonAsync("/v1/settlements", later)).ShouldBeAsync(HttpStatusCode.Created);
        await (await hospital.PostJsonAsync($"/v1/settlements/{earlier.SettlementId}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);
        var rejected = Settlement() with { AdmissionDate = "2020-02-01", DischargeDate = "2020-02-10" };
        await (await hospital.PostJsonAsync("/v1/settlements", rejected)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "no_parameters_in_force");
        var url = $"/v1/audit/entries?regionCode={Guilin}&hospitalCode={hospitalCode}";

        var entries = await EntriesAsync(factory.ClientFor("auditor", null, Guilin), url);

        Assert.Equal(["preview/accepted", "settlement/accepted", "settlement/accepted", "reversal/accepted", "adjustment/accepted", "settlement/rejected"],
            entries.Select(e => $"{e.Text("kind")}/{e.Text("outcome")}"));
        Assert.All(entries, e =>
        {
            Assert.Equal(Guilin, e.Text("regionCode"));
            Assert.Equal(JsonValueKind.Object, e.GetProperty("inputs").ValueKind);
            Assert.False(string.IsNullOrEmpty(e.Text("caller")));
        });
        Assert.All(entries.Take(5), e =>
        {
            Assert.Equal(person, e.Text("insuredId"));
            Assert.Equal(JsonValueKind.Object, e.GetProperty("outputs").ValueKind);
            Assert.Equal(JsonValueKind.Array, e.GetProperty("trace").ValueKind);
            Assert.False(string.IsNullOrEmpty(e.GetProperty("parameterSet").Text("id")));
            Assert.Equal("general", e.Text("category"));
        });
        Assert.Equal("no_parameters_in_force", entries[5].Text("code"));
        Assert.Equal(rejected.InsuredId, entries[5].Text("insuredId"));
        Assert.Equal(entries.Select(e => e.GetProperty("sequence").GetInt64()).Order(), entries.Select(e => e.GetProperty("sequence").GetInt64()));
        // The province's auditor and an admin read the same entries.
        Assert.Equal(entries.Count, (await EntriesAsync(factory.ClientFor("auditor", null, Guangxi), url)).Count);
        Assert.Equal(entries.Count, (await EntriesAsync(factory.ClientFor("auditor", null, Guangxi), $"/v1/audit/entries?regionCode={Guangxi}&hospitalCode={hospitalCode}")).Count);
        Assert.Equal(entries.Count, (await EntriesAsync(factory.ClientFor("admin"), $"/v1/audit/entries?hospitalCode={hospitalCode}")).Count);
        // An auditor of another region sees none of them, and may not ask for this one.
        var nanning = factory.ClientFor("auditor", null, Nanning);
        Assert.Empty(await EntriesAsync(nanning, $"/v1/audit/entries?regionCode={Nanning}&hospitalCode={hospitalCode}"));
        await (await nanning.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "region_out_of_scope");
        await (await factory.ClientFor("auditor", null, Guilin).GetAsync($"/v1/audit/entries?regionCode={Guangxi}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "region_out_of_scope");
        foreach (var other in new[] { hospital, factory.ClientFor("insurer", null, Guilin), factory.ClientFor("ops") })
            await (await other.GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await factory.CreateClient().GetAsync(url)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task PagingReturnsEachEntryExactlyOnceOldestFirst()
    {
        var hospitalCode = NewHospitalCode();
        var hospital = factory.ClientFor("hospital", hospitalCode);
        for (var i = 0; i < 7; i++) await (await hospital.PostJsonAsync("/v1/settlements/preview", Settlement())).ShouldBeAsync(HttpStatusCode.OK);
        var auditor = factory.ClientFor("auditor", null, Guilin);

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await auditor.GetAsync($"/v1/audit/entries?regionCode={Guilin}&hospitalCode={hospitalCode}&kind=preview&limit=3"
                + (cursor is null ? "" : $"&cursor={cursor}"))).ShouldBeAsync(HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(7, seen.Count);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(7, seen.Distinct().Count());
    }

    [Theory]
    [InlineData("from=2020/12/01")]
    [InlineData("from=2020-12-01T00:00:00")]
    [InlineData("to=20201201")]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("cursor=abc")]
    [InlineData("kind=payment")]
    public async Task AMalformedQueryIsAValidationProblem(string query) =>
        await (await factory.ClientFor("auditor", null, Guilin).GetAsync($"/v1/audit/entries?regionCode={Guilin}&{query}"))
            .ShouldBeValidationProblemAsync(query.Split('=')[0]);

    [Fact]
    public async Task AnAuditorMustNameTheRegion() =>
        await (await factory.ClientFor("auditor", null, Guilin).GetAsync("/v1/audit/entries")).ShouldBeValidationProblemAsync("regionCode");

    [Fact]
    public async Task EntriesOfABusinessDayAreThoseRecordedOnItInChina()
    {
        var hospitalCode = NewHospitalCode();
        await (await factory.ClientFor("hospital", hospitalCode).PostJsonAsync("/v1/settlements/preview", Settlement())).ShouldBeAsync(HttpStatusCode.OK);
        var auditor = factory.ClientFor("auditor", null, Guilin);
        var today = BusinessToday();

        Assert.Single(await EntriesAsync(auditor, $"/v1/audit/entries?regionCode={Guilin}&hospitalCode={hospitalCode}&from={today:yyyy-MM-dd}&to={today:yyyy-MM-dd}"));
        Assert.Empty(await EntriesAsync(auditor, $"/v1/audit/entries?regionCode={Guilin}&hospitalCode={hospitalCode}&to={today.AddDays(-1):yyyy-MM-dd}"));
    }

    private DateOnly BusinessToday() => DateOnly.FromDateTime(factory.Time.GetUtcNow().UtcDateTime.AddHours(8));

    private static string NewHospitalCode() => $"H45{Random.Shared.Next(10_000_000, 99_999_999)}";

    private static async Task<List<JsonElement>> EntriesAsync(HttpClient client, string url) =>
        (await (await client.GetAsync(url)).ShouldBeAsync(HttpStatusCode.OK)).GetProperty("entries").EnumerateArray().ToList();
}

public sealed class SqliteAuditEntriesTests(SqliteAppFactory f) : AuditEntriesTests<SqliteAppFactory>(f);

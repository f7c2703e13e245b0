using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests.Reconciliation;

/// <summary>api.md "Reconciliation": hospitals reconcile too, scoped to their own settlements (regionCode optional for them).</summary>
public abstract class HospitalReconciliationTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    // A hospital code of this suite alone, so its totals are exactly what these tests settle; another of the same region.
    private readonly string _code = $"H45{Random.Shared.Next(10_000_000, 99_999_999)}";
    private const string Today = "from=2020-12-01&to=2020-12-01";

    [Fact]
    public async Task AHospitalsSummaryExcludesAnotherHospitalOfTheSameRegion()
    {
        var mine = factory.ClientFor("hospital", _code);
        var other = factory.ClientFor("hospital", _code + "9");
        await (await mine.PostJsonAsync("/v1/settlements", Settlement())).ShouldBeAsync(HttpStatusCode.Created);
        await (await other.PostJsonAsync("/v1/settlements", Settlement(eligible: 30_000m))).ShouldBeAsync(HttpStatusCode.Created);

        var withRegion = await (await mine.GetAsync($"/v1/reconciliation/summary?regionCode=450300&{Today}")).ShouldBeAsync(HttpStatusCode.OK);
        var withoutRegion = await (await mine.GetAsync($"/v1/reconciliation/summary?{Today}")).ShouldBeAsync(HttpStatusCode.OK);

        foreach (var summary in new[] { withRegion, withoutRegion })
        {
            var settlements = summary.GetProperty("settlements");
            Assert.Equal((1, 23_800m), (settlements.GetProperty("count").GetInt32(), settlements.Money("payout")));
        }
        var insurer = await (await factory.ClientFor("insurer", null, Guilin).GetAsync($"/v1/reconciliation/summary?regionCode=450300&{Today}")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.True(insurer.GetProperty("settlements").GetProperty("count").GetInt32() >= 2);
    }

    [Fact]
    public async Task AHospitalsStatementAndSummaryCheckCoverOnlyItsOwnSettlements()
    {
        var code = _code + "1";
        var mine = factory.ClientFor("hospital", code);
        var body = Settlement();
        await (await mine.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
        await (await factory.ClientFor("hospital", code + "9").PostJsonAsync("/v1/settlements", Settlement())).ShouldBeAsync(HttpStatusCode.Created);

        var ndjson = await mine.GetStringAsync($"/v1/reconciliation/statement?{Today}&format=ndjson");
        var check = await (await mine.PostJsonAsync("/v1/reconciliation/summary-checks",
            new JsonObject { ["from"] = "2020-12-01", ["to"] = "2020-12-01", ["count"] = 1, ["payout"] = 23_800m })).ShouldBeAsync(HttpStatusCode.OK);

        var rows = ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.TryGetProperty("hospitalCode", out _)).ToList();
        Assert.Equal([code], rows.Select(r => r.Text("hospitalCode")).Distinct());
        Assert.Equal(body.SettlementId, Assert.Single(rows).Text("settlementId"));
        Assert.Equal("match", check.Text("result"));
    }

    [Fact]
    public async Task AHospitalsBadRegionIsRefusedAndWritesNothing()
    {
        var mine = factory.ClientFor("hospital", _code + "2");
        var before = await factory.OfEveryTableAsync();

        await (await mine.GetAsync($"/v1/reconciliation/summary?regionCode=4503&{Today}")).ShouldBeValidationProblemAsync("regionCode");

        Assert.Equal(before, await factory.OfEveryTableAsync());
    }
}

public sealed class SqliteHospitalReconciliationTests(SqliteAppFactory f) : HospitalReconciliationTests<SqliteAppFactory>(f);

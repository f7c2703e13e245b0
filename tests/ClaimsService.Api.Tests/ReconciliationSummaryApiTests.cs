using System.Net;
using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>GET /v1/reconciliation/summary for insurers: totals of a region over business days (UTC+8), within the key's regions.</summary>
public abstract class ReconciliationSummaryApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);
    private readonly HttpClient _insurer = factory.ClientFor("insurer", null, Guangxi);
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task AGuangxiInsurerSeesGuilinsSettlementsReversalsAndNetForTheDay()
    {
        var before = await SummaryAsync($"regionCode={Guilin}&{Today}");
        var first = Settlement(eligible: 50_000m);
        await SettleAsync(first);
        await SettleAsync(Settlement(eligible: 30_000m));
        await (await _hospital.PostJsonAsync($"/v1/settlements/{first.SettlementId}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);

        var after = await SummaryAsync($"regionCode={Guilin}&{Today}");

        Assert.Equal(Guilin, after.Text("regionCode"));
        // Two settlements paying 23 800 and 10 800, one reversal taking back 23 800.
        Assert.Equal((2L, 80_000m, 34_600m), Delta(before, after, "settlements"));
        Assert.Equal((1L, -50_000m, -23_800m), Delta(before, after, "reversals"));
        Assert.Equal((3L, 30_000m, 10_800m), Delta(before, after, "net"));
        var general = after.GetProperty("byCategory").EnumerateArray().Single(c => c.Text("category") == "general");
        Assert.True(general.GetProperty("totals").GetProperty("settlements").GetProperty("count").GetInt64() >= 2);
        Assert.Equal($"{BusinessDay:yyyy-MM-dd}", Assert.Single(after.GetProperty("byDay").EnumerateArray()).Text("date"));
    }

    [Fact]
    public async Task ADayBeforeTheAdjudicationsCountsNothing()
    {
        await SettleAsync(Settlement());

        var summary = await SummaryAsync($"regionCode={Guilin}&from=2020-11-01&to=2020-11-30");

        Assert.Equal((0L, 0m), (summary.GetProperty("net").GetProperty("count").GetInt64(), summary.GetProperty("net").Money("payout")));
        Assert.Empty(summary.GetProperty("byDay").EnumerateArray());
    }

    [Fact]
    public async Task AGuangxiInsurerMayNotReadYunnan() =>
        await (await _insurer.GetAsync($"/v1/reconciliation/summary?regionCode=530000&{Today}"))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "region_out_of_scope");

    [Fact]
    public async Task AnInsurerWithSeveralRegionsMayReadEachOfThem()
    {
        var insurer = factory.ClientFor("insurer", null, Guilin, "530000");

        await (await insurer.GetAsync($"/v1/reconciliation/summary?regionCode={Guilin}&{Today}")).ShouldBeAsync(HttpStatusCode.OK);
        await (await insurer.GetAsync($"/v1/reconciliation/summary?regionCode=530000&{Today}")).ShouldBeAsync(HttpStatusCode.OK);
        await (await insurer.GetAsync($"/v1/reconciliation/summary?regionCode={Nanning}&{Today}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "region_out_of_scope");
    }

    [Fact]
    public async Task OpsMayReadAnyRegion() =>
        await (await factory.ClientFor("ops").GetAsync($"/v1/reconciliation/summary?regionCode=530000&{Today}")).ShouldBeAsync(HttpStatusCode.OK);

    [Theory]
    [InlineData("from=2020-12-01&to=2020-12-01", "regionCode")]
    [InlineData("regionCode=450300&to=2020-12-01", "from")]
    [InlineData("regionCode=450300&from=2020-12-02&to=2020-12-01", "to")]
    [InlineData("regionCode=450300&from=2019-01-01&to=2020-12-01", "to")]
    public async Task AnIncompleteOrBackwardsPeriodIsRefused(string query, string field) =>
        await (await _insurer.GetAsync($"/v1/reconciliation/summary?{query}")).ShouldBeValidationProblemAsync(field);

    [Fact]
    public async Task PeriodsAreBusinessDaysInChinaStandardTime()
    {
        // One second before midnight in China, then midnight: 16:00 UTC starts the next business day.
        var day = BusinessDay;
        factory.Time.SetUtcNow(new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - ChinaStandardTime - TimeSpan.FromSeconds(1));
        var (before, nextBefore) = (await SummaryAsync($"regionCode={Guilin}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}"),
            await SummaryAsync($"regionCode={Guilin}&from={day.AddDays(1):yyyy-MM-dd}&to={day.AddDays(1):yyyy-MM-dd}"));
        await SettleAsync(Settlement(eligible: 50_000m));
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        await SettleAsync(Settlement(eligible: 30_000m));

        var (after, nextAfter) = (await SummaryAsync($"regionCode={Guilin}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}"),
            await SummaryAsync($"regionCode={Guilin}&from={day.AddDays(1):yyyy-MM-dd}&to={day.AddDays(1):yyyy-MM-dd}"));

        Assert.Equal((1L, 50_000m, 23_800m), Delta(before, after, "settlements"));
        Assert.Equal((1L, 30_000m, 10_800m), Delta(nextBefore, nextAfter, "settlements"));
    }

    /// <summary>Today in China by the service's clock (a test may move it on).</summary>
    private DateOnly BusinessDay => DateOnly.FromDateTime((factory.Time.GetUtcNow() + ChinaStandardTime).DateTime);

    private string Today => $"from={BusinessDay:yyyy-MM-dd}&to={BusinessDay:yyyy-MM-dd}";

    private async Task<JsonElement> SummaryAsync(string query) =>
        await (await _insurer.GetAsync($"/v1/reconciliation/summary?{query}")).ShouldBeAsync(HttpStatusCode.OK);

    private async Task SettleAsync(SettlementBody body) =>
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

    private static (long Count, decimal Eligible, decimal Payout) Delta(JsonElement before, JsonElement after, string kind)
    {
        var (b, a) = (before.GetProperty(kind), after.GetProperty(kind));
        return (a.GetProperty("count").GetInt64() - b.GetProperty("count").GetInt64(),
            a.Money("eligibleAmount") - b.Money("eligibleAmount"), a.Money("payout") - b.Money("payout"));
    }
}

public sealed class SqliteReconciliationSummaryApiTests(SqliteAppFactory f) : ReconciliationSummaryApiTests<SqliteAppFactory>(f);

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Browser.Tests.Infrastructure;
using ClaimsService.Data.Reconciliation;
using Microsoft.Extensions.DependencyInjection;

namespace ClaimsService.Browser.Tests;

[Collection(OpsCollection.Name)]
public sealed class OpsSummaryTests(OpsAppFactory factory) : IClassFixture<OpsAppFactory>
{
    [Fact]
    public async Task SummaryCountsEveryKindOfAdjudicationOfTheBurst()
    {
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000001"));
        var burst = await Traffic.BurstAsync(factory, hospital, "SUM");
        using var ops = factory.NetworkClient(factory.CreateKey("ops"));

        var s = await ops.GetFromJsonAsync<JsonElement>("/v1/ops/summary");

        Assert.Equal("2020-12-01", s.GetProperty("businessDate").GetString());
        var totals = s.GetProperty("activity").GetProperty("totals");
        Assert.Equal(burst.Settled, totals.GetProperty("settled").GetInt32());
        Assert.Equal(burst.Reversed, totals.GetProperty("reversed").GetInt32());
        Assert.Equal(burst.Adjusted, totals.GetProperty("adjusted").GetInt32());
        Assert.Equal(burst.Previewed, totals.GetProperty("previewed").GetInt32());
        Assert.Equal(burst.Rejected, totals.GetProperty("rejected").GetInt32());
        var perMinute = s.GetProperty("activity").GetProperty("perMinute").EnumerateArray().ToList();
        Assert.Equal(60, perMinute.Count);
        Assert.Equal(burst.Settled, perMinute.Sum(m => m.GetProperty("settled").GetInt32()));
        Assert.True(perMinute.Count(m => m.GetProperty("settled").GetInt32() > 0) >= 5, "settlements spread over several minutes");
        var rate = (double)burst.Rejected / (burst.Settled + burst.Reversed + burst.Previewed + burst.Rejected);
        Assert.Equal(Math.Round(rate, 4), s.GetProperty("activity").GetProperty("rejectionRate").GetDouble());

        var today = s.GetProperty("today");
        Assert.Equal(burst.Settled, today.GetProperty("settlements").GetProperty("count").GetInt32());
        Assert.Equal(burst.SettlementPayout, today.GetProperty("settlements").GetProperty("amount").GetDecimal());
        Assert.Equal(burst.Reversed, today.GetProperty("reversals").GetProperty("count").GetInt32());
        Assert.Equal(burst.ReversalPayout, today.GetProperty("reversals").GetProperty("amount").GetDecimal());
        Assert.Equal(burst.NetPayout, today.GetProperty("netPayout").GetDecimal());
        Assert.Equal(burst.Rejected, today.GetProperty("rejections").GetInt32());
        Assert.Equal(burst.Previewed, today.GetProperty("previews").GetInt32());
        var regions = today.GetProperty("byRegion").EnumerateArray().ToList();
        Assert.Equal(["220100", "450100", "450300", "530100"], regions.Select(r => r.GetProperty("regionCode").GetString()!).Order().ToArray());
        Assert.Equal(burst.NetPayout, regions.Sum(r => r.GetProperty("netPayout").GetDecimal()));
        Assert.Equal("Guilin 2020", regions.Single(r => r.GetProperty("regionCode").GetString() == "450300").GetProperty("name").GetString());

        // This instance saw every request: settlements, previews, reversals, rejections, the replay, the invalid one, the 404.
        var latency = s.GetProperty("latency");
        var outcomes = latency.GetProperty("outcomes");
        Assert.Equal(burst.Settled + burst.Previewed + burst.Reversed, outcomes.GetProperty("accepted").GetInt32());
        Assert.Equal(burst.Replayed, outcomes.GetProperty("replayed").GetInt32());
        Assert.Equal(burst.Rejected + 1, outcomes.GetProperty("rejected").GetInt32());
        Assert.Equal(burst.Invalid, outcomes.GetProperty("invalid").GetInt32());
        Assert.Equal(0, outcomes.GetProperty("error").GetInt32());
        Assert.Equal(0, latency.GetProperty("errorRate").GetDouble());
        var p50 = latency.GetProperty("p50Ms").GetDouble();
        var p99 = latency.GetProperty("p99Ms").GetDouble();
        Assert.True(p50 > 0 && p50 <= latency.GetProperty("p95Ms").GetDouble() && latency.GetProperty("p95Ms").GetDouble() <= p99);

        var database = s.GetProperty("database");
        Assert.True(database.GetProperty("reachable").GetBoolean());
        Assert.Equal("Sqlite", database.GetProperty("provider").GetString());
        Assert.Equal("Closed", database.GetProperty("circuitState").GetString());

        var sets = s.GetProperty("parameterSets").EnumerateArray().ToList();
        var guilin = sets.Single(p => p.GetProperty("regionCode").GetString() == "450300");
        Assert.Equal("Guilin 2020", guilin.GetProperty("name").GetString());
        Assert.Equal(1, guilin.GetProperty("version").GetInt32());
        Assert.Contains(sets, p => p.GetProperty("regionCode").GetString() == "450000");
    }

    [Fact]
    public async Task SummaryListsTheLatestReconciliationResultsNewestFirst()
    {
        var runs = factory.Services.GetRequiredService<ReconciliationRunStore>();
        for (var i = 0; i < 12; i++)
            await runs.RecordAsync(new ReconciliationRunRow
            {
                Kind = "summary_check", Caller = "insurer:test", RegionCode = "450300", PeriodFrom = new DateOnly(2020, 10, 1),
                PeriodTo = new DateOnly(2020, 10, 31), Result = i % 4 == 3 ? "mismatch" : "match", RecordedAt = factory.Time.GetUtcNow().UtcDateTime,
            }, CancellationToken.None);
        using var admin = factory.NetworkClient(factory.CreateKey("admin"));

        var s = await admin.GetFromJsonAsync<JsonElement>("/v1/ops/summary");

        var recent = s.GetProperty("reconciliation").EnumerateArray().ToList();
        Assert.Equal(10, recent.Count);
        Assert.Equal("mismatch", recent[0].GetProperty("result").GetString());
        Assert.True(recent[0].GetProperty("id").GetInt64() > recent[9].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task OnlyOpsAndAdminKeysReadTheSummary()
    {
        using var anonymous = new HttpClient { BaseAddress = factory.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/ops/summary")).StatusCode);
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000001"));
        Assert.Equal(HttpStatusCode.Forbidden, (await hospital.GetAsync("/v1/ops/summary")).StatusCode);
        using var insurer = factory.NetworkClient(factory.CreateKey("insurer", null, "450000"));
        Assert.Equal(HttpStatusCode.Forbidden, (await insurer.GetAsync("/v1/ops/summary")).StatusCode);
        // The page, its assets and /metrics need no key; the page's data does.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/dashboard/vendor/chart.umd.min.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/dashboard/nothing.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task TheDashboardPageIsServedWithAStrictContentSecurityPolicyAndRevalidates()
    {
        using var anonymous = new HttpClient { BaseAddress = factory.BaseAddress };
        var page = await anonymous.GetAsync("/dashboard");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        var etag = page.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(again)).StatusCode);
    }
}

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
        // Regions are named by themselves (GB/T 2260), and say which set prices them.
        var guilinRegion = regions.Single(r => r.GetProperty("regionCode").GetString() == "450300");
        Assert.Equal("Guilin", guilinRegion.GetProperty("name").GetString());
        Assert.Equal("桂林市", guilinRegion.GetProperty("nameZh").GetString());
        Assert.Equal("Guilin 2020", guilinRegion.GetProperty("parameterSet").GetString());
        var nanning = regions.Single(r => r.GetProperty("regionCode").GetString() == "450100");
        Assert.Equal(("Nanning", "南宁市", "450000"), (nanning.GetProperty("name").GetString(), nanning.GetProperty("nameZh").GetString(), nanning.GetProperty("provinceCode").GetString()));
        Assert.Equal("Guangxi 2020", nanning.GetProperty("parameterSet").GetString());
        Assert.Equal("Kunming", regions.Single(r => r.GetProperty("regionCode").GetString() == "530100").GetProperty("name").GetString());
        // Top-ups and recoveries apart: they add up to the adjustments.
        Assert.Equal(burst.AdjustmentPayout, regions.Sum(r => r.GetProperty("topUpPayout").GetDecimal() + r.GetProperty("recoveryPayout").GetDecimal()));

        // The period asked for (today by default) has the same figures, and the by-category view adds up to them.
        var period = s.GetProperty("period");
        Assert.Equal(("today", "2020-12-01", "2020-12-01"), (period.GetProperty("period").GetString(), period.GetProperty("from").GetString(), period.GetProperty("to").GetString()));
        Assert.Equal(burst.NetPayout, period.GetProperty("netPayout").GetDecimal());
        Assert.Equal(burst.AdjustmentPayout, period.GetProperty("topUps").GetProperty("amount").GetDecimal() + period.GetProperty("recoveries").GetProperty("amount").GetDecimal());
        Assert.Equal(burst.Adjusted, period.GetProperty("topUps").GetProperty("count").GetInt32() + period.GetProperty("recoveries").GetProperty("count").GetInt32());
        Assert.True(period.GetProperty("recoveries").GetProperty("amount").GetDecimal() <= 0 && period.GetProperty("topUps").GetProperty("amount").GetDecimal() >= 0);
        var categories = period.GetProperty("byCategory").EnumerateArray().ToList();
        Assert.NotEmpty(categories);
        Assert.Equal(burst.NetPayout, categories.Sum(c => c.GetProperty("netPayout").GetDecimal()));
        Assert.Equal(burst.Settled, categories.Sum(c => c.GetProperty("settlements").GetProperty("count").GetInt32()));

        // Rejections by code and by hospital (business rejections, audited), and every 4xx answer by code (instance figures).
        var rejections = s.GetProperty("rejections");
        Assert.Equal(burst.Rejected, rejections.GetProperty("total").GetInt32());
        Assert.Equal(burst.Rejected, rejections.GetProperty("byHospital").EnumerateArray().Single(h => h.GetProperty("hospitalCode").GetString() == "H4503000001").GetProperty("count").GetInt32());
        Assert.Equal(burst.Rejected, rejections.GetProperty("byCode").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32()));
        Assert.DoesNotContain(rejections.GetProperty("byCode").EnumerateArray(), c => c.GetProperty("code").GetString() == "unknown");
        var refused = rejections.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(burst.Invalid, refused.Where(c => c.GetProperty("outcome").GetString() == "invalid" && c.GetProperty("code").GetString() == "validation_failed").Sum(c => c.GetProperty("count").GetInt32()));
        Assert.Equal(burst.Rejected + 1, refused.Where(c => c.GetProperty("outcome").GetString() == "rejected").Sum(c => c.GetProperty("count").GetInt32()));

        // Every request (settlements, previews, reversals, rejections, the replay, the invalid one, the 404) reached the fleet
        // figures in the database, and the summary names the one instance it heard from.
        var latency = s.GetProperty("latency");
        Assert.Equal(("fleet", 1), (latency.GetProperty("source").GetString(), latency.GetProperty("instances").GetInt32()));
        var instance = Assert.Single(s.GetProperty("instances").EnumerateArray());
        Assert.Equal(s.GetProperty("instance").GetString(), instance.GetProperty("instance").GetString());
        Assert.True(instance.GetProperty("answering").GetBoolean());
        Assert.Equal(latency.GetProperty("count").GetInt64(), instance.GetProperty("requests").GetInt64());
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
        Assert.Equal("Guilin", guilin.GetProperty("regionName").GetString());
        Assert.Equal(1, guilin.GetProperty("version").GetInt32());
        Assert.Equal("Guangxi Zhuang Autonomous Region", sets.Single(p => p.GetProperty("regionCode").GetString() == "450000").GetProperty("regionName").GetString());
        // The national template is no region: never listed as in force, only named as the template.
        Assert.DoesNotContain(sets, p => p.GetProperty("regionCode").GetString() == "000000");
        Assert.Equal("000000", s.GetProperty("nationalTemplate").GetProperty("regionCode").GetString());
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

    [Theory]
    [InlineData("week")]
    [InlineData("TODAYS")]
    [InlineData("2020-12")]
    public async Task APeriodOtherThanTodayMonthOrYearIsRefusedWithAProblem(string period)
    {
        using var ops = factory.NetworkClient(factory.CreateKey("ops"));

        var response = await ops.GetAsync($"/v1/ops/summary?period={Uri.EscapeDataString(period)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("period", out _));
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

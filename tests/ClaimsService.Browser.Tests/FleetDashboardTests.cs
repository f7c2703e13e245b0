using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Browser.Tests.Infrastructure;
using ClaimsService.Integration.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace ClaimsService.Browser.Tests;

/// <summary>
/// Two service instances behind an imagined balancer, on one PostgreSQL database (CLAIMS_TEST_PG): whichever answers, the
/// dashboard shows the figures of both.
/// </summary>
[Collection(OpsCollection.Name)]
public sealed class FleetDashboardTests : IAsyncLifetime
{
    private readonly string _database = $"claims_fleet_{Guid.NewGuid():N}";
    private string _connectionString = "";
    private FleetInstance _a = null!;
    private FleetInstance _b = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync(_database);
        _a = new FleetInstance("PostgreSql", _connectionString, "instance-a");
        _ = _a.BaseAddress; // the first instance migrates the database
        _b = new FleetInstance("PostgreSql", _connectionString, "instance-b");
        _ = _b.BaseAddress;
        (_playwright, _browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task TheDashboardOfEitherInstanceAddsUpTheFiguresOfBoth()
    {
        using var hospitalA = _a.NetworkClient(_a.CreateKey("hospital", "H4503000001"));
        using var hospitalB = _b.NetworkClient(_b.CreateKey("hospital", "H4501000002"));
        var a = await Traffic.BurstAsync(_a, hospitalA, "FLA");
        var b = await Traffic.BurstAsync(_b, hospitalB, "FLB", rounds: 1);
        // Adjudication requests each instance answered: accepted, the replay, the rejections and the 404, the invalid one.
        static long Requests(BurstResult r) => r.Settled + r.Previewed + r.Reversed + r.Replayed + r.Rejected + 1 + r.Invalid;
        // One wall clock for the fleet: each factory has its own fake one, so B's is brought to A's.
        if (_b.Time.GetUtcNow() < _a.Time.GetUtcNow()) _b.Time.SetUtcNow(_a.Time.GetUtcNow());
        var key = _a.CreateKey("ops");
        using var opsA = _a.NetworkClient(key);
        using var opsB = _b.NetworkClient(key);

        // B's figures reach the database through its own background flusher (every second here), not through A.
        var s = await opsA.GetFromJsonAsync<JsonElement>("/v1/ops/summary");
        for (var waited = 0; s.GetProperty("latency").GetProperty("count").GetInt64() < Requests(a) + Requests(b) && waited < 100; waited++)
        {
            await Task.Delay(100);
            s = await opsA.GetFromJsonAsync<JsonElement>("/v1/ops/summary");
        }

        var latency = s.GetProperty("latency");
        Assert.Equal(("fleet", 2), (latency.GetProperty("source").GetString(), latency.GetProperty("instances").GetInt32()));
        Assert.Equal(Requests(a) + Requests(b), latency.GetProperty("count").GetInt64());
        var outcomes = latency.GetProperty("outcomes");
        Assert.Equal(a.Settled + a.Previewed + a.Reversed + b.Settled + b.Previewed + b.Reversed, outcomes.GetProperty("accepted").GetInt32());
        Assert.Equal(a.Invalid + b.Invalid, outcomes.GetProperty("invalid").GetInt32());
        Assert.Equal(a.Rejected + b.Rejected + 2, outcomes.GetProperty("rejected").GetInt32());
        var instances = s.GetProperty("instances").EnumerateArray().ToList();
        Assert.Equal(2, instances.Count);
        Assert.StartsWith("instance-a-", instances[0].GetProperty("instance").GetString());
        Assert.StartsWith("instance-b-", instances[1].GetProperty("instance").GetString());
        Assert.Equal((Requests(a), Requests(b)), (instances[0].GetProperty("requests").GetInt64(), instances[1].GetProperty("requests").GetInt64()));
        Assert.Equal(s.GetProperty("instance").GetString(), instances.Single(i => i.GetProperty("answering").GetBoolean()).GetProperty("instance").GetString());

        var today = s.GetProperty("today");
        Assert.Equal(a.Settled + b.Settled, today.GetProperty("settlements").GetProperty("count").GetInt32());
        Assert.Equal(a.NetPayout + b.NetPayout, today.GetProperty("netPayout").GetDecimal());
        var rejections = s.GetProperty("rejections");
        var byHospital = rejections.GetProperty("byHospital").EnumerateArray().ToDictionary(h => h.GetProperty("hospitalCode").GetString()!, h => h.GetProperty("count").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["H4503000001"] = a.Rejected, ["H4501000002"] = b.Rejected }, byHospital);
        Assert.Equal(a.Invalid + b.Invalid, rejections.GetProperty("requests").EnumerateArray()
            .Single(c => c.GetProperty("code").GetString() == "validation_failed").GetProperty("count").GetInt32());

        // The other instance answers the same figures.
        var fromB = await opsB.GetFromJsonAsync<JsonElement>("/v1/ops/summary");
        Assert.Equal(a.Settled + b.Settled, fromB.GetProperty("today").GetProperty("settlements").GetProperty("count").GetInt32());
        Assert.Equal(Requests(a) + Requests(b), fromB.GetProperty("latency").GetProperty("count").GetInt64());
        Assert.StartsWith("instance-b-", fromB.GetProperty("instance").GetString());

        // In the browser, on instance A.
        foreach (var width in new[] { 1400, 1024 })
        {
            var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 1000 }, ReducedMotion = ReducedMotion.Reduce });
            var page = await context.NewPageAsync();
            var errors = new List<string>();
            page.PageError += (_, e) => errors.Add(e);
            await page.GotoAsync(new Uri(_a.BaseAddress, $"/dashboard?key={Uri.EscapeDataString(key)}").ToString());
            await page.WaitForSelectorAsync("body[data-state=ready]", new() { Timeout = 15_000 });
            await page.WaitForFunctionAsync(Layout.ChartsSettled);
            await page.WaitForTimeoutAsync(400);
            await Chromium.ScreenshotAsync(page, $"fleet-dashboard-{width}.png");
            Assert.Equal("2", await page.GetAttributeAsync("[data-testid=instances-pill]", "data-value"));
            Assert.Equal("2", await page.GetAttributeAsync("[data-testid=instances]", "data-count"));
            Assert.Equal((a.Settled + b.Settled).ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("[data-testid=kpi-settlements-today]", "data-value"));
            Assert.Equal((Requests(a) + Requests(b)).ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("[data-testid=kpi-latency-count]", "data-value"));
            Assert.Equal("fleet", await page.GetAttributeAsync("[data-testid=latency-source]", "data-value"));
            Assert.Equal(2, await page.Locator("[data-testid=rejections-by-hospital] td:first-child").CountAsync());
            Assert.Empty(await page.EvaluateAsync<string[]>(Layout.CutOrOverlapping));
            Assert.Empty(errors);
            await context.CloseAsync();
        }
    }
}

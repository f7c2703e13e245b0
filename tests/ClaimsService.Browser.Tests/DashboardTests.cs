using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Browser.Tests.Infrastructure;
using ClaimsService.Data.Reconciliation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClaimsService.Browser.Tests;

/// <summary>The dashboard in headless Chromium against the real service on a real port.</summary>
[Collection(OpsCollection.Name)]
public sealed class DashboardTests(OpsAppFactory factory) : IClassFixture<OpsAppFactory>, IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync() => (_playwright, _browser) = await Chromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task DashboardChartsTheBurstAndItsFiguresMatchTheSummary()
    {
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000001"));
        var burst = await Traffic.BurstAsync(factory, hospital, "DSH", rounds: 3);
        await RecordReconciliationsAsync();
        var key = factory.CreateKey("ops");
        var page = await NewPageAsync();

        await page.GotoAsync(new Uri(factory.BaseAddress, $"/dashboard?key={Uri.EscapeDataString(key)}").ToString());
        await page.WaitForSelectorAsync("body[data-state=ready]", new() { Timeout = 15_000 });
        await page.WaitForFunctionAsync(Layout.ChartsSettled);
        await page.WaitForTimeoutAsync(400); // let the first animation settle for the screenshot

        // The key was taken from the address once and kept in this tab only.
        Assert.DoesNotContain("key=", page.Url);
        Assert.Equal(key, await page.EvaluateAsync<string>("() => sessionStorage.getItem('claims.opsKey')"));

        using var ops = factory.NetworkClient(key);
        var s = await ops.GetFromJsonAsync<JsonElement>("/v1/ops/summary");
        var today = s.GetProperty("today");
        var activity = s.GetProperty("activity");
        Assert.Equal(burst.Settled, today.GetProperty("settlements").GetProperty("count").GetInt32());

        await AssertFigureAsync(page, "kpi-settlements-today", today.GetProperty("settlements").GetProperty("count").GetDecimal());
        await AssertFigureAsync(page, "kpi-payout-today", today.GetProperty("netPayout").GetDecimal());
        await AssertFigureAsync(page, "kpi-settlement-payout-today", today.GetProperty("settlements").GetProperty("amount").GetDecimal());
        await AssertFigureAsync(page, "kpi-reversals-today", today.GetProperty("reversals").GetProperty("count").GetDecimal());
        await AssertFigureAsync(page, "kpi-reversal-payout-today", today.GetProperty("reversals").GetProperty("amount").GetDecimal());
        await AssertFigureAsync(page, "kpi-adjudications-hour", activity.GetProperty("totals").GetProperty("total").GetDecimal());
        await AssertFigureAsync(page, "kpi-rejection-rate", activity.GetProperty("rejectionRate").GetDecimal());
        await AssertFigureAsync(page, "kpi-rejections-today", today.GetProperty("rejections").GetDecimal());
        Assert.Equal("reachable", await page.GetAttributeAsync("[data-testid=db-state]", "data-value"));
        Assert.Equal("Closed", await page.GetAttributeAsync("[data-testid=circuit-state]", "data-value"));
        // What a person reads: formatted figures, not placeholders.
        Assert.Equal(FormatCny(burst.NetPayout), (await page.InnerTextAsync("[data-testid=kpi-payout-today] b")).Trim());
        Assert.Equal(burst.Settled.ToString(CultureInfo.InvariantCulture), (await page.InnerTextAsync("[data-testid=kpi-settlements-today] b")).Trim());
        Assert.EndsWith("ms", (await page.InnerTextAsync("[data-testid=kpi-p95] b")).Trim());

        // The charts hold the summary's series.
        var perMinuteSettled = await page.EvaluateAsync<double>(
            "() => window.claimsDashboard.charts['chart-per-minute'].data.datasets[0].data.reduce((a, b) => a + b, 0)");
        Assert.Equal(activity.GetProperty("totals").GetProperty("settled").GetDouble(), perMinuteSettled);
        Assert.Equal(60, await page.EvaluateAsync<int>("() => window.claimsDashboard.charts['chart-per-minute'].data.labels.length"));
        Assert.Equal(today.GetProperty("byRegion").GetArrayLength(), await page.EvaluateAsync<int>("() => window.claimsDashboard.charts['chart-payouts'].data.labels.length"));
        var latencyPoints = await page.EvaluateAsync<int>("() => window.claimsDashboard.charts['chart-latency'].data.datasets[1].data.filter(x => x !== null).length");
        Assert.True(latencyPoints >= 5, $"p95 points: {latencyPoints}");
        Assert.Equal(s.GetProperty("parameterSets").GetArrayLength().ToString(CultureInfo.InvariantCulture),
            await page.GetAttributeAsync("[data-testid=parameter-sets]", "data-count"));
        Assert.Equal("v1", await page.InnerTextAsync("[data-testid=parameter-sets] li[data-region='450300'] .version"));
        Assert.Equal(s.GetProperty("reconciliation").GetArrayLength().ToString(CultureInfo.InvariantCulture),
            await page.GetAttributeAsync("[data-testid=reconciliation-runs]", "data-count"));
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.claimsDashboard.charts['chart-reconciliation'].data.datasets[0].data[2]")); // one mismatch

        await Chromium.ScreenshotAsync(page, "dashboard.png");
        // Regions by their own names; the national template never in force.
        Assert.StartsWith("450100 Nanning", await page.InnerTextAsync("[data-testid=regions] tr[data-region='450100'] td"));
        Assert.Equal(0, await page.Locator("[data-testid=parameter-sets] li[data-region='000000']").CountAsync());
        Assert.Contains("000000", await page.InnerTextAsync("[data-testid=national-template]"));
        Assert.Equal(today.GetProperty("adjustments").GetProperty("count").GetInt32(),
            int.Parse(await page.GetAttributeAsync("[data-testid=kpi-top-up-count]", "data-value") ?? "", CultureInfo.InvariantCulture)
            + int.Parse(await page.GetAttributeAsync("[data-testid=kpi-recovery-count]", "data-value") ?? "", CultureInfo.InvariantCulture));
        Assert.Equal(s.GetProperty("rejections").GetProperty("total").GetInt32().ToString(CultureInfo.InvariantCulture),
            await page.GetAttributeAsync("[data-testid=chart-rejections]", "data-total"));
        Assert.Equal("1", await page.GetAttributeAsync("[data-testid=instances-pill]", "data-value"));

        // It refreshes itself: one more settlement shows within a refresh or two.
        var more = await hospital.PostAsJsonAsync("/v1/settlements", new
        {
            settlementId = "DSH-LATE", insuredId = Domain.ResidentId.WithCheckDigit("45030519900101888"), regionCode = "450300",
            admissionDate = "2020-11-01", dischargeDate = "2020-11-05", inPolicyCost = 50000m, basicInsurancePaid = 20000m,
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, more.StatusCode);
        await page.WaitForSelectorAsync($"[data-testid=kpi-settlements-today][data-value='{burst.Settled + 1}']", new() { Timeout = 15_000 });
        Assert.True(int.Parse(await page.GetAttributeAsync("body", "data-refreshes") ?? "0", CultureInfo.InvariantCulture) >= 2);
    }

    [Fact]
    public async Task LongFiguresAreNeverCutAt1400Or1024PixelsInEnglishOrChinese()
    {
        // Large stays (a policy year's worth in a few), so that the payout figures are long.
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000009"));
        for (var i = 0; i < 40; i++)
        {
            var response = await hospital.PostAsJsonAsync("/v1/settlements", new
            {
                settlementId = $"BIG-{i:000}", insuredId = Domain.ResidentId.WithCheckDigit($"4503051980{i:00}0101{i:0}"[..17]), regionCode = i % 2 == 0 ? "450300" : "530100",
                admissionDate = "2020-06-01", dischargeDate = "2020-10-12", inPolicyCost = 990_000m, basicInsurancePaid = 50_000m,
            });
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }
        var key = factory.CreateKey("ops");
        foreach (var lang in new[] { "en", "zh-CN" })
            foreach (var width in new[] { 1400, 1024 })
            {
                var page = await NewPageAsync(width);
                var query = lang == "en" ? "" : "&lang=zh-CN";
                await page.GotoAsync(new Uri(factory.BaseAddress, $"/dashboard?key={Uri.EscapeDataString(key)}&period=year{query}").ToString());
                await page.WaitForSelectorAsync("body[data-state=ready]", new() { Timeout = 15_000 });
                await page.WaitForFunctionAsync(Layout.ChartsSettled);
                await page.WaitForTimeoutAsync(400);
                await Chromium.ScreenshotAsync(page, $"dashboard-{lang}-{width}.png");
                Assert.Equal(lang, await page.GetAttributeAsync("html", "lang"));
                Assert.Equal("year", await page.GetAttributeAsync("[data-testid=period]", "data-value"));
                var payout = (await page.InnerTextAsync("[data-testid=kpi-payout-today] b")).Trim();
                Assert.Matches(@"^-?¥[\d,]+\.\d{2}$", payout);
                Assert.True(payout.Length >= 13, payout);
                Assert.Empty(await page.EvaluateAsync<string[]>(Layout.CutOrOverlapping));
                if (lang == "zh-CN")
                {
                    Assert.Equal("净支付", await page.InnerTextAsync("[data-testid=kpi-payout-today] label"));
                    Assert.Equal("本保单年度", await page.InnerTextAsync("[data-testid=period] button.on"));
                    Assert.StartsWith("450300 桂林市", await page.InnerTextAsync("[data-testid=regions] tr[data-region='450300'] td"));
                }
                else Assert.Equal("Net payout", await page.InnerTextAsync("[data-testid=kpi-payout-today] label"));
                await page.CloseAsync();
            }
    }

    [Fact]
    public async Task DashboardAsksForTheKeyOnceAndRejectsAKeyWithoutTheOpsRole()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(new Uri(factory.BaseAddress, "/dashboard").ToString());
        await page.WaitForSelectorAsync("body[data-state=need-key]");
        Assert.True(await page.IsVisibleAsync("#key-dialog"));

        await page.FillAsync("#key-input", factory.CreateKey("hospital", "H4503000001"));
        await page.ClickAsync("#key-form button");
        await page.WaitForFunctionAsync("() => document.querySelector('#banner').textContent.includes('no ops role')");
        Assert.Equal("need-key", await page.GetAttributeAsync("body", "data-state"));

        await page.FillAsync("#key-input", factory.CreateKey("ops"));
        await page.ClickAsync("#key-form button");
        await page.WaitForSelectorAsync("body[data-state=ready]");
        Assert.False(await page.IsVisibleAsync("#key-dialog"));

        // A reload in the same tab does not ask again.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-state=ready]");
    }

    /// <summary>Reconciliation results as the reconciliation API records them (it lands separately; the store is what the summary reads).</summary>
    private async Task RecordReconciliationsAsync()
    {
        var runs = factory.Services.GetRequiredService<ReconciliationRunStore>();
        foreach (var (kind, region, result) in new[] { ("summary_check", "450300", "match"), ("detail_check", "450000", "match"), ("summary", "530000", "served"),
                     ("summary_check", "220000", "mismatch"), ("statement", "450300", "served") })
            await runs.RecordAsync(new ReconciliationRunRow
            {
                Kind = kind, Caller = "insurer:picc-guangxi", RegionCode = region, PeriodFrom = new DateOnly(2020, 11, 1), PeriodTo = new DateOnly(2020, 11, 30),
                Result = result, RecordedAt = factory.Time.GetUtcNow().UtcDateTime,
            }, CancellationToken.None);
    }

    private async Task<IPage> NewPageAsync(int width = 1600)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 1000 }, ReducedMotion = ReducedMotion.Reduce });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.Close += (_, _) => Assert.Empty(errors);
        return page;
    }

    private static async Task AssertFigureAsync(IPage page, string testId, decimal expected)
    {
        var value = await page.GetAttributeAsync($"[data-testid={testId}]", "data-value");
        Assert.False(string.IsNullOrEmpty(value), $"{testId} has no value");
        Assert.Equal(expected, decimal.Parse(value, CultureInfo.InvariantCulture));
        Assert.NotEqual(0m, expected);
    }

    private static string FormatCny(decimal amount) => "¥" + amount.ToString("#,##0.00", CultureInfo.InvariantCulture);
}

using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Browser.Tests.Infrastructure;

namespace ClaimsService.Browser.Tests;

/// <summary>The period of the summary: today, month to date and policy year to date, as business days pass.</summary>
[Collection(OpsCollection.Name)]
public sealed class OpsPeriodTests(OpsAppFactory factory) : IClassFixture<OpsAppFactory>
{
    [Fact]
    public async Task MonthAndPolicyYearKeepWhatTodayNoLongerShowsUntilTheyEnd()
    {
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000001"));
        var burst = await Traffic.BurstAsync(factory, hospital, "PER");
        using var ops = factory.NetworkClient(factory.CreateKey("ops"));

        // The next business day: today is empty, the month and the policy year still hold the burst.
        factory.Time.Advance(TimeSpan.FromDays(1));
        var today = await PeriodAsync(ops, null);
        var month = await PeriodAsync(ops, "month");
        var year = await PeriodAsync(ops, "YEAR");
        Assert.Equal(("2020-12-02", "2020-12-02"), (today.GetProperty("from").GetString(), today.GetProperty("to").GetString()));
        Assert.Equal(0, today.GetProperty("settlements").GetProperty("count").GetInt32());
        Assert.Equal(("month", "2020-12-01", "2020-12-02"), (month.GetProperty("period").GetString(), month.GetProperty("from").GetString(), month.GetProperty("to").GetString()));
        Assert.Equal(("year", "2020-01-01"), (year.GetProperty("period").GetString(), year.GetProperty("from").GetString()));
        foreach (var p in new[] { month, year })
        {
            Assert.Equal(burst.Settled, p.GetProperty("settlements").GetProperty("count").GetInt32());
            Assert.Equal(burst.NetPayout, p.GetProperty("netPayout").GetDecimal());
            Assert.Equal(burst.ReversalPayout, p.GetProperty("reversals").GetProperty("amount").GetDecimal());
            Assert.Equal(burst.Rejected, p.GetProperty("rejections").GetInt32());
        }
        var rejections = (await ops.GetFromJsonAsync<JsonElement>("/v1/ops/summary?period=month")).GetProperty("rejections");
        Assert.Equal(burst.Rejected, rejections.GetProperty("total").GetInt32());
        Assert.Equal(burst.Invalid, rejections.GetProperty("requests").EnumerateArray().Where(c => c.GetProperty("outcome").GetString() == "invalid").Sum(c => c.GetProperty("count").GetInt32()));

        // A new year and month: nothing of 2020 is left in either.
        factory.Time.Advance(TimeSpan.FromDays(31));
        var january = await PeriodAsync(ops, "month");
        var policyYear = await PeriodAsync(ops, "year");
        Assert.Equal(("2021-01-01", "2021-01-02"), (january.GetProperty("from").GetString(), january.GetProperty("to").GetString()));
        Assert.Equal(0, january.GetProperty("settlements").GetProperty("count").GetInt32());
        Assert.Equal(0, policyYear.GetProperty("settlements").GetProperty("count").GetInt32());
        Assert.Equal(0m, policyYear.GetProperty("netPayout").GetDecimal());
    }

    private static async Task<JsonElement> PeriodAsync(HttpClient ops, string? period) =>
        (await ops.GetFromJsonAsync<JsonElement>(period is null ? "/v1/ops/summary" : $"/v1/ops/summary?period={period}")).GetProperty("period");
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Reconciliation;

namespace ClaimsService.Api.Tests.Reconciliation;

/// <summary>Summary, summary check and statement agree with each other and with what the hospitals settled.</summary>
public abstract class ReconciliationTotalsTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    [Fact]
    public async Task SummaryTotalsAreTheSumsOfTheStatementRowsInBothFormats()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var data = new ReconciliationData(factory);
        var from = data.Today;
        var settled = new List<JsonElement>();
        var reversals = new List<JsonElement>();
        var persons = Enumerable.Range(0, 5).Select(_ => data.NewPerson()).ToList();
        foreach (var person in persons)
            for (var stay = 0; stay < 1 + random.Next(4); stay++)
            {
                var cost = random.Next(5_000_00, 70_000_00) / 100m;
                var basic = Math.Round(cost * random.Next(0, 40) / 100m, 2);
                settled.Add(await data.SettleAsync(person, cost, basic, data.Today.AddDays(-random.Next(0, 60))));
                factory.Time.Advance(TimeSpan.FromMinutes(random.Next(10, 600)));
            }
        // Reversing a person's first stay re-prices the later ones: adjustments.
        foreach (var first in settled.GroupBy(s => s.GetProperty("insuredId").GetString()).Select(g => g.First()).Where(_ => random.Next(2) == 0).Take(3))
        {
            reversals.Add(await data.ReverseAsync(first.GetProperty("settlementId").GetString()!));
            factory.Time.Advance(TimeSpan.FromMinutes(random.Next(10, 600)));
        }
        var to = data.Today;
        var insurer = data.Insurer();

        var summary = await insurer.GetFromJsonAsync<JsonElement>(
            $"/v1/reconciliation/summary?regionCode={data.RegionCode}&from={ReconciliationData.Day(from)}&to={ReconciliationData.Day(to)}");
        var csv = await StatementParser.GetAsync(insurer, data.RegionCode, from, to, "csv");
        var ndjson = await StatementParser.GetAsync(insurer, data.RegionCode, from, to, "ndjson");

        var adjustments = reversals.Sum(r => r.GetProperty("adjustments").GetArrayLength());
        foreach (var statement in new[] { csv, ndjson })
        {
            var because = $"seed {seed}";
            Assert.True(settled.Count + reversals.Count + adjustments == statement.Rows.Count, because);
            Assert.Equal(statement.Rows.Count, statement.TrailerRows);
            Assert.Equal(statement.Rows.Sum(r => r.Payout), statement.TrailerPayout);
            Assert.Equal(summary.GetProperty("net").GetProperty("count").GetInt64(), statement.Rows.Count);
            Assert.Equal(summary.GetProperty("net").GetProperty("payout").GetDecimal(), statement.Rows.Sum(r => r.Payout));
            Assert.Equal(summary.GetProperty("net").GetProperty("eligibleAmount").GetDecimal(), statement.Rows.Sum(r => r.EligibleAmount));
            foreach (var (kind, property) in new[] { ("settlement", "settlements"), ("reversal", "reversals"), ("adjustment", "adjustments") })
            {
                Assert.Equal(summary.GetProperty(property).GetProperty("count").GetInt64(), statement.Rows.Count(r => r.Kind == kind));
                Assert.Equal(summary.GetProperty(property).GetProperty("payout").GetDecimal(), statement.Rows.Where(r => r.Kind == kind).Sum(r => r.Payout));
            }
            Assert.Equal(settled.Sum(s => s.GetProperty("payout").GetDecimal()), statement.Rows.Where(r => r.Kind == "settlement").Sum(r => r.Payout));
            Assert.Equal(statement.Rows.OrderBy(r => r.BusinessDate).ThenBy(r => r.AdjudicatedAt).ThenBy(r => r.AdjudicationId, StringComparer.Ordinal),
                statement.Rows);
            Assert.All(statement.Rows, r => Assert.Equal(data.RegionCode, r.RegionCode));
        }
        Assert.Equal(csv.Rows, ndjson.Rows);

        // The summary check, both ways of counting, recomputed from the statement as its description says.
        var all = (Count: (long)csv.Rows.Count, Payout: csv.Rows.Sum(r => r.Payout));
        var reversed = csv.Rows.Where(r => r.Kind == "reversal").Select(r => (r.HospitalCode, r.SettlementId)).ToHashSet();
        var inForce = csv.Rows.Where(r => r.Kind != "reversal" && !reversed.Contains((r.HospitalCode, r.SettlementId))).ToList();
        Assert.Equal("match", (await CheckAsync(insurer, data.RegionCode, from, to, all.Count, all.Payout, includeReversed: null)).GetProperty("result").GetString());
        var inForceCheck = await CheckAsync(insurer, data.RegionCode, from, to, inForce.Count, inForce.Sum(r => r.Payout), includeReversed: false);
        Assert.True(inForceCheck.GetProperty("result").GetString() == "match", $"seed {seed}: {inForceCheck}");
        Assert.False(inForceCheck.GetProperty("includeReversed").GetBoolean());

        var off = await CheckAsync(insurer, data.RegionCode, from, to, all.Count - 1, all.Payout + 0.01m, includeReversed: true);
        Assert.Equal("mismatch", off.GetProperty("result").GetString());
        Assert.Equal(all.Count, off.GetProperty("service").GetProperty("count").GetInt64());
        Assert.Equal(all.Payout, off.GetProperty("service").GetProperty("payout").GetDecimal());
        Assert.Equal(-1, off.GetProperty("differences").GetProperty("count").GetInt64());
        Assert.Equal(0.01m, off.GetProperty("differences").GetProperty("payout").GetDecimal());
    }

    [Fact]
    public async Task AnAdjudicationAtHalfPastFourUtcBelongsToTheNextBusinessDay()
    {
        var data = new ReconciliationData(factory);
        var now = factory.Time.GetUtcNow();
        var utcDay = now.UtcDateTime.Date;
        if (now.UtcDateTime >= utcDay.AddHours(15.5)) utcDay = utcDay.AddDays(1);
        var day = DateOnly.FromDateTime(utcDay);
        var person = data.NewPerson();

        factory.Time.SetUtcNow(new DateTimeOffset(utcDay.AddHours(15.5), TimeSpan.Zero)); // 23:30 in China: still `day`
        var late = await data.SettleAsync(person, 30_000m, 5_000m);
        factory.Time.SetUtcNow(new DateTimeOffset(utcDay.AddHours(16.5), TimeSpan.Zero)); // 00:30 the next day in China
        var next = await data.SettleAsync(person, 20_000m, 0m);
        Assert.Equal(utcDay.AddHours(16.5), next.GetProperty("adjudicatedAt").GetDateTime().ToUniversalTime());

        var insurer = data.Insurer();
        var first = await StatementParser.GetAsync(insurer, data.RegionCode, day, day, "ndjson");
        var second = await StatementParser.GetAsync(insurer, data.RegionCode, day.AddDays(1), day.AddDays(1), "csv");
        Assert.Equal([late.GetProperty("adjudicationId").GetString()], first.Rows.Select(r => r.AdjudicationId));
        Assert.Equal([next.GetProperty("adjudicationId").GetString()], second.Rows.Select(r => r.AdjudicationId));
        Assert.Equal(day.AddDays(1), second.Rows[0].BusinessDate);
        Assert.Equal(utcDay.AddHours(16.5), second.Rows[0].AdjudicatedAt);

        var summary = await insurer.GetFromJsonAsync<JsonElement>(
            $"/v1/reconciliation/summary?regionCode={data.RegionCode}&from={ReconciliationData.Day(day.AddDays(1))}&to={ReconciliationData.Day(day.AddDays(1))}");
        Assert.Equal(1, summary.GetProperty("net").GetProperty("count").GetInt64());
        Assert.Equal(next.GetProperty("payout").GetDecimal(), summary.GetProperty("net").GetProperty("payout").GetDecimal());
    }

    [Fact]
    public async Task ACodeWithACommaAQuoteAndChineseIsQuotedInCsvEscapedInNdjsonAndReadBack()
    {
        var hospitalCode = $"H\"{Guid.NewGuid():N}"[..12] + ",\\桂林医院";
        var data = new ReconciliationData(factory, hospitalCode: hospitalCode);
        var settled = await data.SettleAsync(data.NewPerson(), 40_000m, 10_000m);
        var insurer = data.Insurer();
        var query = $"regionCode={data.RegionCode}&from={ReconciliationData.Day(data.Today)}&to={ReconciliationData.Day(data.Today)}";

        var ndjson = await StatementParser.GetAsync(insurer, data.RegionCode, data.Today, data.Today, "ndjson");
        Assert.Equal(hospitalCode, Assert.Single(ndjson.Rows).HospitalCode);
        var csv = await insurer.GetStringAsync($"/v1/reconciliation/statement?{query}&format=csv");
        Assert.Contains($",\"{hospitalCode.Replace("\"", "\"\"", StringComparison.Ordinal)}\",", csv);
        Assert.EndsWith($"#trailer,rows=1,payout={settled.GetProperty("payout").GetDecimal():0.00}\n", csv);

        // The quoted field does not shift the columns the detail check reads.
        var check = await insurer.PostAsync($"/v1/reconciliation/detail-checks?{query}", new StringContent(csv, null, "text/csv"));
        Assert.Contains("\"matched\":1,", await check.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EveryReconciliationRequestIsRecordedWithItsResult()
    {
        var data = new ReconciliationData(factory);
        var settled = await data.SettleAsync(data.NewPerson(), 40_000m, 10_000m);
        var payout = settled.GetProperty("payout").GetDecimal();
        var (from, to) = (data.Today, data.Today);
        var insurer = data.Insurer();
        var query = $"regionCode={data.RegionCode}&from={ReconciliationData.Day(from)}&to={ReconciliationData.Day(to)}";

        (await insurer.GetAsync($"/v1/reconciliation/summary?{query}")).EnsureSuccessStatusCode();
        await CheckAsync(insurer, data.RegionCode, from, to, 1, payout, includeReversed: true);
        await CheckAsync(insurer, data.RegionCode, from, to, 1, payout + 1m, includeReversed: true);
        var statement = await StatementParser.GetAsync(insurer, data.RegionCode, from, to, "csv");
        var check = await insurer.PostAsync($"/v1/reconciliation/detail-checks?{query}", new StringContent(statement.Raw, null, "text/csv"));
        Assert.Contains("\"result\":\"match\"", await check.Content.ReadAsStringAsync());

        var runs = (await factory.Service<ReconciliationRunStore>().RecentAsync(200, CancellationToken.None))
            .Where(r => r.RegionCode == data.RegionCode).Reverse().ToList();
        Assert.Equal(["summary:served", "summary_check:match", "summary_check:mismatch", "statement:served", "detail_check:match"],
            runs.Select(r => $"{r.Kind}:{r.Result}"));
        Assert.All(runs, r => Assert.StartsWith("insurer:", r.Caller));
        Assert.All(runs, r => Assert.Equal((from, to), (r.PeriodFrom, r.PeriodTo)));
        Assert.Contains("\"rows\":1", runs[3].Details);
        Assert.DoesNotContain(settled.GetProperty("insuredId").GetString()!, string.Concat(runs.Select(r => r.Details)));
    }

    public static async Task<JsonElement> CheckAsync(HttpClient client, string regionCode, DateOnly from, DateOnly to, long count, decimal payout, bool? includeReversed)
    {
        var response = await client.PostAsJsonAsync("/v1/reconciliation/summary-checks",
            new { regionCode, from = ReconciliationData.Day(from), to = ReconciliationData.Day(to), count, payout, includeReversed });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }
}

public sealed class SqliteReconciliationTotalsTests(SqliteAppFactory factory) : ReconciliationTotalsTests<SqliteAppFactory>(factory);

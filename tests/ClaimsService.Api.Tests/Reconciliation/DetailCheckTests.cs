using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Api.Tests.Reconciliation;

/// <summary>The detail check finds exactly the differences planted in an insurer's file, and reads any size.</summary>
public abstract class DetailCheckTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private sealed record Answer(IReadOnlyList<JsonElement> Differences, JsonElement Summary, string Raw)
    {
        public IEnumerable<JsonElement> OfType(string type) => Differences.Where(d => d.GetProperty("type").GetString() == type);

        public IReadOnlyList<string> Ids(string type) => OfType(type).Select(d => d.GetProperty("adjudicationId").GetString()!).Order().ToList();

        public long Count(string name) => Summary.GetProperty(name).GetInt64();
    }

    /// <summary>A region with a dozen settlements, two of them reversed (with adjustments), all on one business day.</summary>
    private async Task<(ReconciliationData Data, DateOnly Day, Statement Csv, Statement Ndjson)> SettledRegionAsync()
    {
        var data = new ReconciliationData(factory);
        var day = data.Today;
        var persons = Enumerable.Range(0, 4).Select(_ => data.NewPerson()).ToList();
        var settled = new List<JsonElement>();
        for (var i = 0; i < 12; i++) settled.Add(await data.SettleAsync(persons[i % 4], 20_000m + i * 1_500.55m, 1_000m));
        await data.ReverseAsync(settled[0].GetProperty("settlementId").GetString()!);
        await data.ReverseAsync(settled[5].GetProperty("settlementId").GetString()!);
        Assert.Equal(day, data.Today);
        var insurer = data.Insurer();
        return (data, day, await StatementParser.GetAsync(insurer, data.RegionCode, day, day, "csv"),
            await StatementParser.GetAsync(insurer, data.RegionCode, day, day, "ndjson"));
    }

    private static async Task<Answer> CheckAsync(HttpClient client, string regionCode, DateOnly day, string body, string contentType)
    {
        var response = await client.PostAsync($"/v1/reconciliation/detail-checks?regionCode={regionCode}&from={ReconciliationData.Day(day)}&to={ReconciliationData.Day(day)}",
            new StringContent(body, Encoding.UTF8) { Headers = { ContentType = MediaTypeHeaderValue.Parse(contentType) } });
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, raw);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = raw.Split('\n');
        Assert.Equal("", lines[^1]);
        var objects = lines[..^1].Select(l => JsonDocument.Parse(l).RootElement).ToList();
        return new Answer(objects[..^1], objects[^1].GetProperty("summary"), raw);
    }

    [Fact]
    public async Task TheServicesOwnStatementUploadedAsItIsMatchesInBothFormats()
    {
        var (data, day, csv, ndjson) = await SettledRegionAsync();
        var insurer = data.Insurer();
        foreach (var (body, type) in new[] { (csv.Raw, "text/csv"), (ndjson.Raw, "application/x-ndjson") })
        {
            var answer = await CheckAsync(insurer, data.RegionCode, day, body, type);
            Assert.Empty(answer.Differences);
            Assert.Equal("match", answer.Summary.GetProperty("result").GetString());
            Assert.Equal(csv.Rows.Count, answer.Count("insurerRows"));
            Assert.Equal(csv.Rows.Count, answer.Count("serviceRows"));
            Assert.Equal(csv.Rows.Count, answer.Count("matched"));
        }
    }

    [Fact]
    public async Task PlantedDifferencesInACsvFileAreFoundExactly()
    {
        var (data, day, csv, _) = await SettledRegionAsync();
        var rows = csv.Rows;
        var lines = new List<string> { StatementParser.CsvHeader };
        var dropped = new[] { rows[1].AdjudicationId, rows[7].AdjudicationId };
        var changed = new[] { rows[2].AdjudicationId, rows[9].AdjudicationId };
        var fakes = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var malformedLines = new List<int>();
        var duplicateLine = 0;
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            if (dropped.Contains(row.AdjudicationId)) continue;
            var payout = changed.Contains(row.AdjudicationId) ? row.Payout + (i % 2 == 0 ? 0.01m : -0.01m) : row.Payout;
            lines.Add(CsvLine(row, payout));
            if (i == 3)
            {
                lines.Add(CsvLine(row, row.Payout)); // the same adjudication twice
                duplicateLine = lines.Count;
                lines.Add("this line has no commas");
                malformedLines.Add(lines.Count);
            }
            if (i == 5)
            {
                lines.Add(CsvLine(row with { AdjudicationId = "not-a-uuid" }, row.Payout));
                malformedLines.Add(lines.Count);
                lines.Add(CsvLine(row with { AdjudicationId = Guid.NewGuid().ToString() }, row.Payout).Replace(
                    Money(row.Payout) + ",", "12.345,", StringComparison.Ordinal));
                malformedLines.Add(lines.Count);
                lines.Add("");  // blank lines are skipped, but counted
                lines.Add("# a comment");
            }
        }
        foreach (var fake in fakes) lines.Add(CsvLine(rows[0] with { AdjudicationId = fake }, 123.45m));
        lines.Add("\"unterminated,1.00");
        malformedLines.Add(lines.Count);

        var answer = await CheckAsync(data.Insurer(), data.RegionCode, day, string.Join("\r\n", lines) + "\r\n", "text/csv");

        Assert.Equal(dropped.Order(), answer.Ids("missing_in_insurer"));
        Assert.Equal(changed.Order(), answer.Ids("amount_mismatch"));
        Assert.Equal(fakes.Order(), answer.Ids("missing_in_service"));
        Assert.Equal([rows[3].AdjudicationId], answer.Ids("duplicate_in_insurer"));
        Assert.Equal(duplicateLine, answer.OfType("duplicate_in_insurer").Single().GetProperty("line").GetInt64());
        Assert.Equal(malformedLines, answer.OfType("malformed").Select(m => (int)m.GetProperty("line").GetInt64()));
        Assert.All(answer.OfType("malformed"), m => Assert.False(string.IsNullOrEmpty(m.GetProperty("reason").GetString())));
        foreach (var mismatch in answer.OfType("amount_mismatch"))
        {
            var row = rows.Single(r => r.AdjudicationId == mismatch.GetProperty("adjudicationId").GetString());
            Assert.Equal(row.Payout, mismatch.GetProperty("servicePayout").GetDecimal());
            Assert.Equal(0.01m, Math.Abs(mismatch.GetProperty("insurerPayout").GetDecimal() - row.Payout));
        }
        Assert.All(answer.OfType("missing_in_service"), m => Assert.Equal(123.45m, m.GetProperty("insurerPayout").GetDecimal()));

        Assert.Equal(rows.Count - 2 + 1 + 2, answer.Count("insurerRows"));
        Assert.Equal(rows.Count, answer.Count("serviceRows"));
        Assert.Equal(rows.Count - 4, answer.Count("matched"));
        Assert.Equal((2, 2, 2, 1, 4), (answer.Count("missingInService"), answer.Count("missingInInsurer"), answer.Count("amountMismatch"),
            answer.Count("duplicateInInsurer"), answer.Count("malformed")));
        Assert.Equal("mismatch", answer.Summary.GetProperty("result").GetString());
        Assert.Equal(11, answer.Differences.Count);
        // Differences found in the upload come in upload order; the service's unmatched rows last, in statement order.
        Assert.Equal(dropped, answer.Differences.TakeLast(2).Select(d => d.GetProperty("adjudicationId").GetString()));
    }

    [Fact]
    public async Task MalformedNdjsonLinesAreReportedByLineAndTheRestIsChecked()
    {
        var (data, day, _, ndjson) = await SettledRegionAsync();
        var rows = ndjson.Rows;
        var lines = new List<string>
        {
            "{\"adjudicationId\":\"" + rows[0].AdjudicationId + "\",\"payout\":" + Money(rows[0].Payout) + "}",
            "{\"adjudicationId\":\"" + rows[1].AdjudicationId + "\"",                     // 2: broken JSON
            "[1,2]",                                                                        // 3: not an object
            "{\"adjudicationId\":\"" + rows[2].AdjudicationId + "\"}",                     // 4: no payout
            "{\"adjudicationId\":\"" + rows[3].AdjudicationId + "\",\"payout\":\"1.00\"}",  // 5: payout as a string
            "{\"payout\":1.00,\"extra\":{\"nested\":[1,2,3]}}",                              // 6: no id
            "{\"adjudicationId\":\"" + rows[4].AdjudicationId + "\",\"payout\":1e3}",      // 7: exponent
            "{\"adjudicationId\":\"" + rows[5].AdjudicationId + "\",\"payout\":" + Money(rows[5].Payout) + ",\"note\":\"" + new string('x', 70_000) + "\"}", // 8: too long
            "{\"adjudicationId\":\"" + rows[6].AdjudicationId + "\",\"payout\":" + Money(rows[6].Payout) + ",\"note\":\"still read\"}",
            "{\"trailer\":{\"rows\":1,\"payout\":0}}",
        };
        var answer = await CheckAsync(data.Insurer(), data.RegionCode, day, string.Join("\n", lines), "application/x-ndjson");

        Assert.Equal([2L, 3, 4, 5, 6, 7, 8], answer.OfType("malformed").Select(m => m.GetProperty("line").GetInt64()));
        Assert.Equal(7, answer.Count("malformed"));
        Assert.Equal(2, answer.Count("insurerRows"));
        Assert.Equal(2, answer.Count("matched"));
        Assert.Equal(rows.Count - 2, answer.Count("missingInInsurer"));
        Assert.Equal(0, answer.Count("missingInService"));
    }

    [Fact]
    public async Task AnUploadFarBeyondTheRequestLimitIsReadAndItsDifferencesSpillToDisk()
    {
        var (data, day, _, ndjson) = await SettledRegionAsync();
        var body = new StringBuilder();
        foreach (var row in ndjson.Rows)
            body.Append("{\"adjudicationId\":\"").Append(row.AdjudicationId).Append("\",\"payout\":").Append(Money(row.Payout)).Append("}\n");
        var fakes = Enumerable.Range(0, 20_000).Select(_ => Guid.NewGuid().ToString()).ToList();
        foreach (var fake in fakes) body.Append("{\"adjudicationId\":\"").Append(fake).Append("\",\"payout\":1.00,\"padding\":\"").Append('p', 60).Append("\"}\n");
        Assert.True(Encoding.UTF8.GetByteCount(body.ToString()) > 2 * 1024 * 1024);

        var answer = await CheckAsync(data.Insurer(), data.RegionCode, day, body.ToString(), "application/x-ndjson; charset=utf-8");

        Assert.Equal(fakes.Order(), answer.Ids("missing_in_service"));
        Assert.Equal(ndjson.Rows.Count, answer.Count("matched"));
        Assert.Equal(fakes.Count + ndjson.Rows.Count, answer.Count("insurerRows"));
        Assert.Equal("mismatch", answer.Summary.GetProperty("result").GetString());
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static string CsvLine(StatementRow r, decimal payout) => string.Join(',',
        r.AdjudicationId, r.Kind, r.HospitalCode, r.SettlementId, r.RegionCode, r.InsuredId, r.PolicyYear.ToString(CultureInfo.InvariantCulture), r.Category,
        r.ParameterSetId, r.ParameterSetVersion.ToString(CultureInfo.InvariantCulture), Money(r.EligibleAmount), Money(payout), r.RelatedAdjudicationId ?? "",
        r.AdjudicatedAt.ToString("O", CultureInfo.InvariantCulture), ReconciliationData.Day(r.BusinessDate));
}

public sealed class SqliteDetailCheckTests(SqliteAppFactory factory) : DetailCheckTests<SqliteAppFactory>(factory);

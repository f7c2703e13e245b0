using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests.Reconciliation;

/// <summary>
/// api.md "Reconciliation": detail-check rows keyed by the national setlId or by hospitalCode + settlementId (a stay's net
/// payout in the period), as insurers and hospitals hold them, not only by our adjudicationId.
/// </summary>
public abstract class StayKeyedDetailCheckTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private const string Day = "from=2020-12-01&to=2020-12-01";

    private sealed record Stays(string Region, string Hospital, HttpClient Client, IReadOnlyList<(string SettlementId, string SetlId, decimal Net)> Rows);

    /// <summary>Three stays of a region of their own with national ids; the second reversed, so its net payout is 0.</summary>
    private async Task<Stays> SettleAsync()
    {
        var region = ReconciliationData.NewRegion();
        var hospital = $"H{region}{Random.Shared.Next(1000, 9999)}";
        var client = factory.ClientFor("hospital", hospital);
        var rows = new List<(string, string, decimal)>();
        foreach (var (eligible, i) in new[] { 50_000m, 30_000m, 42_345.67m }.Select((e, i) => (e, i)))
        {
            var body = Settlement(NewInsuredId(region), eligible, region);
            var setlId = $"SETL{region}{i}{Random.Shared.Next(100_000, 999_999)}";
            var answer = await (await client.PostJsonAsync("/v1/settlements",
                NationalIdentifiersTests<TFactory>.WithNational(body, NationalIdentifiersTests<TFactory>.National(setlId: setlId, region: region))))
                .ShouldBeAsync(HttpStatusCode.Created);
            rows.Add((body.SettlementId, setlId, answer.Money("payout")));
        }
        await (await client.PostJsonAsync($"/v1/settlements/{rows[1].Item1}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);
        rows[1] = (rows[1].Item1, rows[1].Item2, 0m);
        return new Stays(region, hospital, client, rows);
    }

    private static async Task<(List<JsonElement> Differences, JsonElement Summary)> CheckAsync(HttpClient client, string query, string body, string type)
    {
        var response = await client.PostAsync($"/v1/reconciliation/detail-checks?{query}",
            new StringContent(body, Encoding.UTF8) { Headers = { ContentType = MediaTypeHeaderValue.Parse(type) } });
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, raw);
        var lines = raw.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        return (lines[..^1], lines[^1].GetProperty("summary"));
    }

    private static string Amount(decimal d) => d.ToString("0.00", CultureInfo.InvariantCulture);

    [Fact]
    public async Task ADetailCheckKeyedBySetlIdFindsAPlantedOneFenDifference()
    {
        var stays = await SettleAsync();
        var insurer = factory.ClientFor("insurer", null, stays.Region);
        var csv = "setlId,payout\n" + string.Join("\n", stays.Rows.Select((r, i) => $"{r.SetlId},{Amount(i == 2 ? r.Net - 0.01m : r.Net)}")) + "\n";

        var (differences, summary) = await CheckAsync(insurer, $"regionCode={stays.Region}&{Day}", csv, "text/csv");

        var mismatch = Assert.Single(differences);
        Assert.Equal(("amount_mismatch", stays.Rows[2].SetlId), (mismatch.Text("type"), mismatch.Text("setlId")));
        Assert.Equal(stays.Rows[2].Net, mismatch.Money("servicePayout"));
        Assert.Equal(stays.Rows[2].Net - 0.01m, mismatch.Money("insurerPayout"));
        Assert.Equal(4, mismatch.GetProperty("line").GetInt32());
        Assert.Equal((3, 3, 2, "mismatch"), (summary.GetProperty("insurerRows").GetInt32(), summary.GetProperty("serviceRows").GetInt32(),
            summary.GetProperty("matched").GetInt32(), summary.Text("result")));
    }

    [Fact]
    public async Task ADetailCheckKeyedByHospitalAndSettlementIdMatchesEachStaysNetPayout()
    {
        var stays = await SettleAsync();
        var insurer = factory.ClientFor("insurer", null, stays.Region);
        var ndjson = string.Join("\n", stays.Rows.Select(r =>
            $$"""{"hospitalCode":"{{stays.Hospital}}","settlementId":"{{r.SettlementId}}","payout":{{Amount(r.Net)}}}""")) + "\n";

        var (differences, summary) = await CheckAsync(insurer, $"regionCode={stays.Region}&{Day}", ndjson, "application/x-ndjson");

        Assert.Empty(differences);
        Assert.Equal(("match", 3), (summary.Text("result"), summary.GetProperty("matched").GetInt32()));
    }

    [Fact]
    public async Task AHospitalChecksItsOwnSettlementsBySettlementIdAloneAndMissesNone()
    {
        var stays = await SettleAsync();
        var csv = "settlementId,payout\n" + $"{stays.Rows[0].SettlementId},{Amount(stays.Rows[0].Net)}\n";

        var (differences, summary) = await CheckAsync(stays.Client, Day, csv, "text/csv");

        Assert.Equal(new[] { stays.Rows[1].SettlementId, stays.Rows[2].SettlementId }.Order(StringComparer.Ordinal),
            differences.Where(d => d.Text("type") == "missing_in_insurer").Select(d => d.Text("settlementId")).Order(StringComparer.Ordinal));
        Assert.Equal(1, summary.GetProperty("matched").GetInt32());
        Assert.Equal(3, summary.GetProperty("serviceRows").GetInt32());
    }

    [Fact]
    public async Task AnInsurersUploadKeyedBySettlementIdWithoutHospitalCodeIsRefusedAndWritesNothing()
    {
        var insurer = factory.ClientFor("insurer", null, Guilin);
        var before = await factory.OfEveryTableAsync();

        var response = await insurer.PostAsync($"/v1/reconciliation/detail-checks?regionCode={Guilin}&{Day}",
            new StringContent("settlementId,payout\nGL-1,1.00\n", Encoding.UTF8) { Headers = { ContentType = MediaTypeHeaderValue.Parse("text/csv") } });

        await response.ShouldBeValidationProblemAsync("body");
        Assert.Equal(before, await factory.OfEveryTableAsync());
    }
}

public sealed class SqliteStayKeyedDetailCheckTests(SqliteAppFactory f) : StayKeyedDetailCheckTests<SqliteAppFactory>(f);

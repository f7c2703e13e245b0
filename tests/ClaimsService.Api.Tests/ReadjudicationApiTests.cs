using System.Net;
using System.Text.Json.Nodes;
using ClaimsService.Api.Readjudication;
using ClaimsService.Api.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>
/// Re-adjudication runs through HTTP (api.md "Re-adjudication runs"; issue 11 item 3). Each test has a Guangxi county of its
/// own: a set at 50 % above a 10 000 deductible, two people settled (P1: 20 000 then 30 000 → 5 000 and 15 000; P2: 40 000
/// → 15 000), then a backdated raise to 60 % from 2020-01-01 (version 2): fresh, P1 pays 6 000 and 18 000, P2 18 000, so
/// a run tops up 1 000, 3 000 and 3 000.
/// </summary>
public abstract class ReadjudicationApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _admin = factory.ClientFor("admin");
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    private sealed record Scenario(string Region, string P1, string P2, string[] SettlementIds);

    private async Task<Scenario> SettledThenRaisedAsync(string region)
    {
        await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region, rate: 0.5m))).ShouldBeAsync(HttpStatusCode.Created);
        var (p1, p2) = (NewInsuredId(), NewInsuredId());
        var ids = new List<string>();
        foreach (var (person, eligible) in new[] { (p1, 20_000m), (p1, 30_000m), (p2, 40_000m) })
        {
            var body = Settlement(person, eligible, region);
            await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
            ids.Add(body.SettlementId);
        }
        var raised = await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region, rate: 0.6m, name: "60 % from 2020-01-01")))
            .ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal(2, raised.GetProperty("version").GetInt32());
        return new Scenario(region, p1, p2, [.. ids]);
    }

    private static JsonObject Run(string runId, string region, bool dryRun, string? insuredId = null) => new()
    {
        ["runId"] = runId, ["regionCode"] = region, ["policyYear"] = 2020, ["insuredId"] = insuredId,
        ["reason"] = "桂医保发〔2020〕46号: 60 % from 2020-01-01", ["dryRun"] = dryRun,
    };

    private static void ShouldReport(System.Text.Json.JsonElement run, long examined, long changed, long topUps, decimal topUpPayout, decimal net)
    {
        Assert.Equal((examined, changed), (run.GetProperty("personYears").GetProperty("examined").GetInt64(), run.GetProperty("personYears").GetProperty("changed").GetInt64()));
        Assert.Equal((topUps, topUpPayout), (run.GetProperty("topUps").GetProperty("count").GetInt64(), run.GetProperty("topUps").Money("payout")));
        Assert.Equal((0L, 0m), (run.GetProperty("recoveries").GetProperty("count").GetInt64(), run.GetProperty("recoveries").Money("payout")));
        Assert.Equal(net, run.Money("net"));
    }

    [Fact]
    public async Task DryRunReportsTheTopUpsAndWritesNothing()
    {
        var s = await SettledThenRaisedAsync("450340");
        var before = await factory.OfEveryTableAsync();

        var response = await _admin.PostJsonAsync("/v1/readjudications", Run("R-450340-dry", s.Region, dryRun: true));
        var run = await response.ShouldBeAsync(HttpStatusCode.OK);

        ShouldReport(run, examined: 2, changed: 2, topUps: 3, topUpPayout: 7_000m, net: 7_000m);
        Assert.True(run.GetProperty("dryRun").GetBoolean());
        Assert.Equal(before, await factory.OfEveryTableAsync());
        await (await _admin.GetAsync("/v1/readjudications/R-450340-dry")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "readjudication_not_found");
    }

    [Fact]
    public async Task CommittedRunMovesEveryLedgerToAFreshSettlementAndASecondRunChangesNothing()
    {
        var s = await SettledThenRaisedAsync("450341");

        var run = await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450341", s.Region, dryRun: false))).ShouldBeAsync(HttpStatusCode.Created);

        ShouldReport(run, examined: 2, changed: 2, topUps: 3, topUpPayout: 7_000m, net: 7_000m);
        Assert.Equal("completed", run.Text("status"));
        var p1 = await _hospital.LedgerAsync(s.Region, s.P1);
        var p2 = await _hospital.LedgerAsync(s.Region, s.P2);
        Assert.Equal((50_000m, 24_000m), (p1.EligibleToDate, p1.PaidToDate));
        Assert.Equal((40_000m, 18_000m), (p2.EligibleToDate, p2.PaidToDate));
        // The ledger lists each adjustment under its stay's settlementId.
        var adjustments = p1.Entries.Where(e => e.Text("kind") == "adjustment").ToList();
        Assert.Equal([(s.SettlementIds[0], 1_000m), (s.SettlementIds[1], 3_000m)], adjustments.Select(e => (e.Text("settlementId"), e.Money("payout"))));

        var again = await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450341-again", s.Region, dryRun: false))).ShouldBeAsync(HttpStatusCode.Created);
        ShouldReport(again, examined: 2, changed: 0, topUps: 0, topUpPayout: 0m, net: 0m);
        Assert.Equal(24_000m, (await _hospital.LedgerAsync(s.Region, s.P1)).PaidToDate);
    }

    [Fact]
    public async Task SameRunIdReplaysAndAnotherBodyIsRefused()
    {
        var s = await SettledThenRaisedAsync("450342");
        await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450342", s.Region, dryRun: false))).ShouldBeAsync(HttpStatusCode.Created);

        var replay = await _admin.PostJsonAsync("/v1/readjudications", Run("R-450342", s.Region, dryRun: false));
        var other = await _admin.PostJsonAsync("/v1/readjudications", Run("R-450342", s.Region, dryRun: false, insuredId: s.P1));
        var read = await (await _admin.GetAsync("/v1/readjudications/R-450342")).ShouldBeAsync(HttpStatusCode.OK);

        Assert.True(replay.IsReplay());
        ShouldReport(await replay.ShouldBeAsync(HttpStatusCode.OK), examined: 2, changed: 2, topUps: 3, topUpPayout: 7_000m, net: 7_000m);
        await other.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        ShouldReport(read, examined: 2, changed: 2, topUps: 3, topUpPayout: 7_000m, net: 7_000m);
        Assert.Equal(42_000m, (await _hospital.LedgerAsync(s.Region, s.P1)).PaidToDate + (await _hospital.LedgerAsync(s.Region, s.P2)).PaidToDate);
    }

    [Fact]
    public async Task RunAdjustmentsAreExportedAndReconciledAsTopUpsWithTheirRunId()
    {
        var s = await SettledThenRaisedAsync("450343");
        await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450343", s.Region, dryRun: false))).ShouldBeAsync(HttpStatusCode.Created);

        var csv = (await (await _admin.GetAsync("/v1/readjudications/R-450343/adjustments?format=csv")).Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ndjson = (await (await _admin.GetAsync("/v1/readjudications/R-450343/adjustments?format=ndjson")).Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var insurer = factory.ClientFor("insurer", null, s.Region);
        var summary = await (await insurer.GetAsync($"/v1/reconciliation/summary?regionCode={s.Region}&from=2020-12-01&to=2020-12-01")).ShouldBeAsync(HttpStatusCode.OK);
        var statement = await (await insurer.GetAsync($"/v1/reconciliation/statement?regionCode={s.Region}&from=2020-12-01&to=2020-12-01&format=ndjson")).Content.ReadAsStringAsync();

        Assert.Equal(RunAdjustmentsResult.CsvHeader, csv[0]);
        Assert.Equal(4, csv.Length);
        Assert.Contains(csv, l => l.Contains($",{s.SettlementIds[1]},{GuilinHospital},{s.P1},15000.00,18000.00,3000.00,general,general,", StringComparison.Ordinal));
        Assert.Equal(3, ndjson.Length);
        var adjustments = summary.GetProperty("adjustments");
        Assert.Equal((3L, 7_000m), (adjustments.GetProperty("topUps").GetProperty("count").GetInt64(), adjustments.GetProperty("topUps").Money("payout")));
        Assert.Equal((0L, 0m), (adjustments.GetProperty("recoveries").GetProperty("count").GetInt64(), adjustments.GetProperty("recoveries").Money("payout")));
        Assert.Equal(3, statement.Split('\n').Count(l => l.Contains("\"kind\":\"adjustment\"", StringComparison.Ordinal) && l.Contains("\"runId\":\"R-450343\"", StringComparison.Ordinal)));
        await (await _admin.GetAsync("/v1/readjudications/R-nope/adjustments")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "readjudication_not_found");
    }

    [Fact]
    public async Task ARunsAdjustmentCarriesItsStaysNationalIdentifiersSoASetlIdCheckNetsIt()
    {
        const string region = "450348";
        await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region, rate: 0.5m))).ShouldBeAsync(HttpStatusCode.Created);
        var body = Settlement(NewInsuredId(), 40_000m, region);
        var national = NationalIdentifiersTests<TFactory>.National(setlId: "SETL-RUN-450348", region: region);
        var settled = await (await _hospital.PostJsonAsync("/v1/settlements", NationalIdentifiersTests<TFactory>.WithNational(body, national)))
            .ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal(15_000m, settled.Money("payout"));
        await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region, rate: 0.6m, name: "60 % from 2020-01-01"))).ShouldBeAsync(HttpStatusCode.Created);

        await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450348", region, dryRun: false))).ShouldBeAsync(HttpStatusCode.Created);

        var insurer = factory.ClientFor("insurer", null, region);
        var statement = await insurer.GetStringAsync($"/v1/reconciliation/statement?regionCode={region}&from=2020-12-01&to=2020-12-01&format=ndjson");
        var rows = statement.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(r => r.TryGetProperty("settlementId", out var id) && id.GetString() == body.SettlementId).ToList();
        Assert.Equal(["adjustment", "settlement"], rows.Select(r => r.Text("kind")).Order());
        Assert.All(rows, r => Assert.Equal(("SETL-RUN-450348", "45000012345678901234", "MDTRT-450300-0001"), (r.Text("setlId"), r.Text("psnNo"), r.Text("mdtrtId"))));
        // The insurer keys its check by setlId: the stay's net payout is its settlement and the run's top-up together.
        var check = await insurer.PostAsync($"/v1/reconciliation/detail-checks?regionCode={region}&from=2020-12-01&to=2020-12-01",
            new StringContent("setlId,payout\nSETL-RUN-450348,18000.00\n", System.Text.Encoding.UTF8, "text/csv"));
        var lines = (await check.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        var summary = System.Text.Json.JsonDocument.Parse(Assert.Single(lines)).RootElement.GetProperty("summary");
        Assert.Equal(("match", 1), (summary.Text("result"), summary.GetProperty("matched").GetInt32()));
    }

    [Fact]
    public async Task RunStoppedAfterOnePersonYearCompletesTheRestWhenSentAgainWithNothingDoneTwice()
    {
        var s = await SettledThenRaisedAsync("450344");
        var hooks = factory.Service<ReadjudicationHooks>();
        var options = factory.Service<IOptions<ReadjudicationOptions>>().Value;
        var done = 0;
        // One person-year a chunk and one chunk at a time, so the run can stop between the two person-years.
        (options.ChunkSize, options.ChunksInFlight) = (1, 1);
        hooks.AfterPersonYear = (key, _) => key.RegionCode == s.Region && ++done == 1
            ? throw new OperationCanceledException("stopped between person-years (test)")
            : Task.CompletedTask;
        try
        {
            try { await _admin.PostJsonAsync("/v1/readjudications", Run("R-450344", s.Region, dryRun: false)); }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException) { }
            var midway = await (await _admin.GetAsync("/v1/readjudications/R-450344")).ShouldBeAsync(HttpStatusCode.OK);
            Assert.Equal("running", midway.Text("status"));
            Assert.Equal(1, midway.GetProperty("personYears").GetProperty("examined").GetInt64());

            var resumed = await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450344", s.Region, dryRun: false))).ShouldBeAsync(HttpStatusCode.Created);

            ShouldReport(resumed, examined: 2, changed: 2, topUps: 3, topUpPayout: 7_000m, net: 7_000m);
            Assert.Equal("completed", resumed.Text("status"));
            Assert.Equal((24_000m, 18_000m), ((await _hospital.LedgerAsync(s.Region, s.P1)).PaidToDate, (await _hospital.LedgerAsync(s.Region, s.P2)).PaidToDate));
        }
        finally
        {
            hooks.AfterPersonYear = null;
            (options.ChunkSize, options.ChunksInFlight) = (new ReadjudicationOptions().ChunkSize, new ReadjudicationOptions().ChunksInFlight);
        }
    }

    [Fact]
    public async Task RunStoppedInsideAChunkOfTwoPersonYearsUndoesBothAndCompletesThemOnceWhenSentAgain()
    {
        var s = await SettledThenRaisedAsync("450346");
        var hooks = factory.Service<ReadjudicationHooks>();
        var stopped = 0;
        // Both person-years are in the first chunk (ChunkSize ≥ 2): stop it after everything is written, before it commits.
        hooks.BeforeChunkCommits = (keys, _) =>
        {
            if (keys[0].RegionCode != s.Region) return Task.CompletedTask;
            Assert.Equal(2, keys.Count);
            return ++stopped == 1 ? throw new OperationCanceledException("stopped inside a chunk (test)") : Task.CompletedTask;
        };
        try
        {
            try { await _admin.PostJsonAsync("/v1/readjudications", Run("R-450346", s.Region, dryRun: false)); }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException) { }
            var midway = await (await _admin.GetAsync("/v1/readjudications/R-450346")).ShouldBeAsync(HttpStatusCode.OK);
            Assert.Equal("running", midway.Text("status"));
            ShouldReport(midway, examined: 0, changed: 0, topUps: 0, topUpPayout: 0m, net: 0m);
            Assert.Equal((20_000m, 15_000m), ((await _hospital.LedgerAsync(s.Region, s.P1)).PaidToDate, (await _hospital.LedgerAsync(s.Region, s.P2)).PaidToDate));
            Assert.DoesNotContain((await _hospital.LedgerAsync(s.Region, s.P1)).Entries, e => e.Text("kind") == "adjustment");

            var resumed = await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450346", s.Region, dryRun: false))).ShouldBeAsync(HttpStatusCode.Created);

            Assert.Equal(2, stopped);
            ShouldReport(resumed, examined: 2, changed: 2, topUps: 3, topUpPayout: 7_000m, net: 7_000m);
            Assert.Equal("completed", resumed.Text("status"));
            var p1 = await _hospital.LedgerAsync(s.Region, s.P1);
            Assert.Equal((50_000m, 24_000m), (p1.EligibleToDate, p1.PaidToDate));
            Assert.Equal([1_000m, 3_000m], p1.Entries.Where(e => e.Text("kind") == "adjustment").Select(e => e.Money("payout")));
            Assert.Equal(18_000m, (await _hospital.LedgerAsync(s.Region, s.P2)).PaidToDate);
        }
        finally
        {
            hooks.BeforeChunkCommits = null;
        }
    }

    [Fact]
    public async Task ReversalAfterARunTakesBackTheAdjustmentsAndRepricesWithTheRunsSet()
    {
        // After the run P1 has A 6 000 and B 18 000. Reversing A takes back 6 000 and re-prices B alone at 60 %: 20 000 × 0.6 = 12 000.
        var s = await SettledThenRaisedAsync("450345");
        await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450345", s.Region, dryRun: false, insuredId: s.P1))).ShouldBeAsync(HttpStatusCode.Created);

        var reversal = await (await _hospital.PostJsonAsync($"/v1/settlements/{s.SettlementIds[0]}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal(-6_000m, reversal.Money("payout"));
        Assert.Equal(-6_000m, Assert.Single(reversal.GetProperty("adjustments").EnumerateArray()).Money("payout"));
        var ledger = await _hospital.LedgerAsync(s.Region, s.P1);
        Assert.Equal((30_000m, 12_000m), (ledger.EligibleToDate, ledger.PaidToDate));
        Assert.Equal(15_000m, (await _hospital.LedgerAsync(s.Region, s.P2)).PaidToDate);
    }

    [Fact]
    public async Task ReversalsRepriceWithTheLastRunsSetWhetherThatRunChangedTheStaysPayoutOrNot()
    {
        // Stays A then B, 20 000 each, 10 000 deductible; bands on the cumulative eligible amount. v1 50 %: A 5 000, B 10 000.
        const string region = "450347";
        static JsonObject Banded(decimal first, decimal above, string name)
        {
            var set = ParameterSet(region, rate: first, name: name);
            set["bands"] = new JsonArray(new JsonObject { ["from"] = 0, ["rate"] = first }, new JsonObject { ["from"] = 20_000, ["rate"] = above });
            return set;
        }
        await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region, rate: 0.5m))).ShouldBeAsync(HttpStatusCode.Created);
        var (p1, p2) = (NewInsuredId(), NewInsuredId());
        var a = new Dictionary<string, string>();
        foreach (var person in new[] { p1, p2 })
        {
            var first = Settlement(person, 20_000m, region);
            await (await _hospital.PostJsonAsync("/v1/settlements", first)).ShouldBeAsync(HttpStatusCode.Created);
            await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(person, 20_000m, region))).ShouldBeAsync(HttpStatusCode.Created);
            a[person] = first.SettlementId;
        }

        // v2: 60 % up to 20 000, 50 % above. A 6 000 (an adjustment of 1 000); B stays at 10 000: no adjustment, but re-priced with v2.
        await (await _admin.PostJsonAsync("/v1/parameter-sets", Banded(0.6m, 0.5m, "v2"))).ShouldBeAsync(HttpStatusCode.Created);
        ShouldReport(await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450347-v2", region, dryRun: false))).ShouldBeAsync(HttpStatusCode.Created),
            examined: 2, changed: 2, topUps: 2, topUpPayout: 2_000m, net: 2_000m);
        // Reversing P2's A re-prices B alone with v2: 6 000, so 4 000 comes back (with v1 it would be 5 000).
        var p2Reversal = await (await _hospital.PostJsonAsync($"/v1/settlements/{a[p2]}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal(-4_000m, Assert.Single(p2Reversal.GetProperty("adjustments").EnumerateArray()).Money("payout"));

        // v3: 65 % and 55 %. P1's A 6 500 (+500), B 11 000 (+1 000): B's adjustment now records v3, over its row's v2.
        await (await _admin.PostJsonAsync("/v1/parameter-sets", Banded(0.65m, 0.55m, "v3"))).ShouldBeAsync(HttpStatusCode.Created);
        ShouldReport(await (await _admin.PostJsonAsync("/v1/readjudications", Run("R-450347-v3", region, dryRun: false, insuredId: p1))).ShouldBeAsync(HttpStatusCode.Created),
            examined: 1, changed: 1, topUps: 2, topUpPayout: 1_500m, net: 1_500m);
        // Reversing P1's A re-prices B alone with v3: 6 500, so 4 500 comes back (with v2 it would be 5 000).
        var p1Reversal = await (await _hospital.PostJsonAsync($"/v1/settlements/{a[p1]}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal(-4_500m, Assert.Single(p1Reversal.GetProperty("adjustments").EnumerateArray()).Money("payout"));
        Assert.Equal((20_000m, 6_500m), ((await _hospital.LedgerAsync(region, p1)).EligibleToDate, (await _hospital.LedgerAsync(region, p1)).PaidToDate));
    }

    [Fact]
    public async Task BadInputIsRefusedAndWritesNothing()
    {
        var before = await factory.OfEveryTableAsync();

        var response = await _admin.PostJsonAsync("/v1/readjudications", new JsonObject
        {
            ["runId"] = "bad id", ["regionCode"] = "45030", ["policyYear"] = 1999, ["insuredId"] = "450305198001011234", ["reason"] = "",
        });

        await response.ShouldBeValidationProblemAsync("runId", "regionCode", "policyYear", "insuredId", "reason", "dryRun");
        Assert.Equal(before, await factory.OfEveryTableAsync());
    }
}

public sealed class SqliteReadjudicationApiTests(SqliteAppFactory f) : ReadjudicationApiTests<SqliteAppFactory>(f);

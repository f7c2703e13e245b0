using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;
using Npgsql;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// A committed run stopped by killing the service process midway, then sent again to a new process (issue 11: "a run stopped
/// midway (kill the process) and sent again completes with nothing done twice"). The service runs as its executable on a
/// PostgreSQL database of its own, as in production; the person-year in flight when the process dies is rolled back by the
/// database, the ones committed are skipped by the second request. The run takes chunks of <see cref="ChunkSize"/>
/// person-years, each one transaction: the process dies with a chunk of several in flight, and none of them is half done.
/// </summary>
public sealed class ReadjudicationKilledProcessTests : IAsyncLifetime
{
    private const string Region = "450370";
    private const int People = 300;
    private const int ChunkSize = 5;
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Database__SeedOnStart"] = "false",
        ["Readjudication__ChunkSize"] = ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
    private readonly string _database = $"claims_kill_{Guid.NewGuid():N}";
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync(_database);
    }

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_database);

    [Fact]
    public async Task RunKilledMidwayAndSentAgainCompletesWithNothingDoneTwice()
    {
        var adminKey = await RunningService.CreateKeyAsync(_connectionString, "--role", "admin", "--name", "kill-admin");
        var hospitalKey = await RunningService.CreateKeyAsync(_connectionString, "--role", "hospital", "--hospital", GuilinHospital, "--name", "kill-hospital");
        var people = Enumerable.Range(0, People).Select(_ => NewInsuredId()).ToList();
        const string runId = "R-killed-450370";
        var run = new JsonObject { ["runId"] = runId, ["regionCode"] = Region, ["policyYear"] = 2020, ["reason"] = "60 % from 2020-01-01 (kill test)", ["dryRun"] = false };

        long examinedWhenKilled;
        using (var first = await RunningService.StartAsync(_connectionString, Settings))
        {
            using var admin = first.Client(adminKey);
            using var hospital = first.Client(hospitalKey);
            await PostAsync(admin, "/v1/parameter-sets", ParameterSet(Region, rate: 0.5m), HttpStatusCode.Created);
            // 30 000 eligible at 50 % above 10 000: 10 000 each; after the raise to 60 %: 12 000, a top-up of 2 000.
            await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (p, _) =>
                await PostAsync(hospital, "/v1/settlements", Settlement(p, 30_000m, Region).ToJson(), HttpStatusCode.Created));
            await PostAsync(admin, "/v1/parameter-sets", ParameterSet(Region, rate: 0.6m, name: "60 % from 2020-01-01"), HttpStatusCode.Created);

            var sent = admin.PostAsync("/v1/readjudications", Json(run));
            var watch = Stopwatch.StartNew();
            while (await DoneAsync(runId) < 20)
            {
                Assert.False(sent.IsCompleted, "The run finished before it could be stopped: give it more person-years.");
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "The run did not start within 60 s.");
                await Task.Delay(10);
            }
            first.Kill();
            await Assert.ThrowsAnyAsync<Exception>(async () => (await sent).EnsureSuccessStatusCode());
            examinedWhenKilled = await DoneAsync(runId);
        }
        Assert.InRange(examinedWhenKilled, 20, People - 1);
        Assert.Equal(0, examinedWhenKilled % ChunkSize); // whole chunks only
        await using (var db = new NpgsqlConnection(_connectionString))
            Assert.Equal("running", await db.ExecuteScalarAsync<string>("SELECT status FROM readjudication_runs WHERE run_id = @runId", new { runId }));

        using (var second = await RunningService.StartAsync(_connectionString, Settings))
        {
            using var admin = second.Client(adminKey);
            var resumed = await PostAsync(admin, "/v1/readjudications", run, HttpStatusCode.Created);
            Assert.Equal("completed", resumed.GetProperty("status").GetString());
            Assert.Equal(People, resumed.GetProperty("personYears").GetProperty("examined").GetInt64());
            Assert.Equal(People, resumed.GetProperty("topUps").GetProperty("count").GetInt64());
            Assert.Equal(People * 2_000m, resumed.GetProperty("topUps").GetProperty("payout").GetDecimal());
        }

        await using var check = new NpgsqlConnection(_connectionString);
        // Each person-year done once, each stay adjusted once (with one audit entry), every ledger a fresh settlement at 60 %.
        Assert.Equal(People, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM readjudication_person_years WHERE run_id = @runId", new { runId }));
        Assert.Equal((long)People, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM adjudications WHERE run_id = @runId", new { runId }));
        Assert.Equal((long)People, await check.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT related_id) FROM adjudications WHERE run_id = @runId", new { runId }));
        Assert.Equal((long)People, await check.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE adjudication_id IN (SELECT id FROM adjudications WHERE run_id = @runId)", new { runId }));
        Assert.Equal(0L, await check.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM ledgers WHERE region_code = @Region AND (eligible_to_date_fen <> 3000000 OR paid_to_date_fen <> 1200000 OR version <> 2)", new { Region }));
        Assert.Equal((long)People, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ledgers WHERE region_code = @Region", new { Region }));
    }

    private async Task<long> DoneAsync(string runId)
    {
        await using var db = new NpgsqlConnection(_connectionString);
        return await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM readjudication_person_years WHERE run_id = @runId", new { runId });
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> PostAsync(HttpClient client, string url, JsonNode body, HttpStatusCode status)
    {
        using var response = await client.PostAsync(url, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"POST {url}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

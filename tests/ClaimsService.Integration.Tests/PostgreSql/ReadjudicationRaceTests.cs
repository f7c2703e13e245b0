using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using ClaimsService.Api.Readjudication;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// Settlements racing a committed re-adjudication run of their person-years, on a real PostgreSQL (issue 11, "a settlement
/// racing a run of its person-year is serialised, the ledger exact"). Each round has a county of its own: a set at 50 %
/// above 10 000, 30 people each settled 20 000 and 30 000, a backdated raise to 60 % from 2020-01-01, then a run while every
/// person's third stay (10 000) is settled at a moment drawn by the round's seed: before the run starts, just as the run
/// reaches the person (fired from the run's hook after the person before), or after the run did the person. Whichever
/// commits first, every ledger must equal a fresh settlement of the three stays with what is known now, and its sequences
/// must run 1..n without a gap or a duplicate (the ledger row lock let one writer at a time append).
/// </summary>
public sealed class ReadjudicationRaceTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    private const int People = 30;
    private readonly HttpClient _admin = factory.ClientFor("admin");
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    // Chunks of one person-year, one at a time; and of seven, two in flight: then a third stay sent as the run finishes the
    // person before races the lock of a chunk in flight, or arrives after its person-year's chunk committed.
    [Theory]
    [InlineData("450361", 1, 1, 1)]
    [InlineData("450362", 2, 1, 1)]
    [InlineData("450363", 3, 7, 2)]
    [InlineData("450364", 4, 7, 2)]
    public async Task SettlementsRacingARunAreSerialisedAndEveryLedgerEqualsAFreshSettlement(string region, int seed, int chunkSize, int chunksInFlight)
    {
        await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region, rate: 0.5m))).ShouldBeAsync(HttpStatusCode.Created);
        var people = Enumerable.Range(0, People).Select(_ => NewInsuredId()).Order(StringComparer.Ordinal).ToList();
        await Task.WhenAll(people.Select(async p =>
        {
            foreach (var eligible in new[] { 20_000m, 30_000m })
                await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(p, eligible, region))).ShouldBeAsync(HttpStatusCode.Created);
        }));
        await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region, rate: 0.6m, name: "60 % from 2020-01-01"))).ShouldBeAsync(HttpStatusCode.Created);

        // When each person's third stay is sent: 0 with the run request; k > 0 once the run has done k person-years (k = People:
        // after the last, before the run completes). Half the people race the run exactly: person i is sent as the run finishes
        // the person before (k = i), so both reach the ledger lock together.
        var random = new Random(seed);
        var trigger = people.Select((_, i) => random.Next(2) == 0 ? i : random.Next(0, People + 1)).ToArray();
        var sent = new ConcurrentBag<Task>();
        void SendAt(int done)
        {
            for (var i = 0; i < People; i++)
                if (trigger[i] == done) sent.Add(SettleThirdAsync(people[i], region));
        }
        var done = 0;
        var hooks = factory.Service<ReadjudicationHooks>();
        var options = factory.Service<IOptions<ReadjudicationOptions>>().Value;
        (options.ChunkSize, options.ChunksInFlight) = (chunkSize, chunksInFlight);
        hooks.AfterPersonYear = async (key, _) =>
        {
            if (key.RegionCode != region) return;
            SendAt(Interlocked.Increment(ref done));
            var pause = random.Next(3);
            if (pause > 0) await Task.Delay(pause); // sometimes the settlement reaches the lock first, sometimes the run
        };
        try
        {
            var runId = $"R-race-{region}";
            var run = _admin.PostJsonAsync("/v1/readjudications", Run(runId, region));
            SendAt(0);
            var answer = await (await run).ShouldBeAsync(HttpStatusCode.Created);
            await Task.WhenAll(sent);

            Assert.Equal("completed", answer.Text("status"));
            Assert.Equal(People, answer.GetProperty("personYears").GetProperty("examined").GetInt64());
            Assert.Equal(People, sent.Count);

            // The reference: the same three stays settled afresh for a new person, after the raise.
            var fresh = NewInsuredId();
            foreach (var eligible in new[] { 20_000m, 30_000m, 10_000m })
                await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(fresh, eligible, region))).ShouldBeAsync(HttpStatusCode.Created);
            var reference = await _hospital.LedgerAsync(region, fresh);
            Assert.Equal((60_000m, 30_000m), (reference.EligibleToDate, reference.PaidToDate)); // 60 % of (60 000 − 10 000)

            await using var db = await factory.OpenDatabaseAsync();
            foreach (var person in people)
            {
                var ledger = await _hospital.LedgerAsync(region, person);
                Assert.Equal((reference.EligibleToDate, reference.PaidToDate), (ledger.EligibleToDate, ledger.PaidToDate));
                Assert.Equal(ledger.PaidToDate, ledger.Entries.Sum(e => e.Money("payout")));
                var sequences = (await db.QueryAsync<int>(
                    "SELECT sequence FROM adjudications WHERE region_code = @region AND insured_id = @person ORDER BY sequence", new { region, person })).AsList();
                Assert.Equal(Enumerable.Range(1, sequences.Count), sequences);
                Assert.Equal(sequences.Count, await db.ExecuteScalarAsync<int>(
                    "SELECT version FROM ledgers WHERE region_code = @region AND insured_id = @person AND policy_year = 2020", new { region, person }));
            }
            // Both orders happened in this round: some third stays were appended before the run's adjustments, some after.
            var orders = (await db.QueryAsync<bool>("""
                SELECT s.sequence < MIN(a.sequence) FROM adjudications s
                JOIN adjudications a ON a.region_code = s.region_code AND a.insured_id = s.insured_id AND a.run_id = @runId
                WHERE s.region_code = @region AND s.kind = 'settlement' AND s.eligible_amount_fen = 1000000
                GROUP BY s.insured_id, s.sequence
                """, new { region, runId })).AsList();
            Assert.Equal(People, orders.Count);
            Assert.Contains(true, orders);
            Assert.Contains(false, orders);

            // The run did each person-year once and adjusted each stay at most once.
            Assert.Equal(People, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM readjudication_person_years WHERE run_id = @runId", new { runId }));
            Assert.Equal(0L, await db.ExecuteScalarAsync<long>("""
                SELECT COUNT(*) FROM (SELECT related_id FROM adjudications WHERE run_id = @runId GROUP BY related_id HAVING COUNT(*) > 1) twice
                """, new { runId }));

            // Nothing is left for a second run to change.
            var again = await (await _admin.PostJsonAsync("/v1/readjudications", Run($"{runId}-again", region))).ShouldBeAsync(HttpStatusCode.Created);
            Assert.Equal(0, again.GetProperty("personYears").GetProperty("changed").GetInt64());
        }
        finally
        {
            hooks.AfterPersonYear = null;
            (options.ChunkSize, options.ChunksInFlight) = (new ReadjudicationOptions().ChunkSize, new ReadjudicationOptions().ChunksInFlight);
        }
    }

    private async Task SettleThirdAsync(string person, string region)
    {
        await Task.Yield();
        await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(person, 10_000m, region))).ShouldBeAsync(HttpStatusCode.Created);
    }

    private static JsonObject Run(string runId, string region) => new()
    {
        ["runId"] = runId, ["regionCode"] = region, ["policyYear"] = 2020, ["reason"] = "60 % from 2020-01-01 (race test)", ["dryRun"] = false,
    };
}

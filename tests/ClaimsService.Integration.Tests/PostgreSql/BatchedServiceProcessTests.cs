using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;
using Npgsql;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// Issue 12, "What it must show", on the service's executable with batching on (the commit pipeline), on a database of its
/// own: <c>kill -9</c> of the service mid-load loses no answered request and leaves no audit row without its adjudication;
/// two instances settling the same person-years at once stay exact. "Exact" is checked against the rules, not against the
/// rows: a person-year's ledger must pay what one stay of its whole eligible amount pays (Guilin 2020 has no cap, so the
/// payout function telescopes), which the service itself answers as a preview for a fresh person.
/// </summary>
public sealed class BatchedServiceProcessTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Batched = new()
    {
        ["Database__Batching__Enabled"] = "true",
        ["Database__Batching__Writers"] = "2",
    };

    private readonly string _database = $"claims_proc_{Guid.NewGuid():N}";
    private string _connectionString = "";
    private string _hospitalKey = "";

    private sealed record Sent(string SettlementId, string InsuredId, decimal Eligible, bool Preview)
    {
        public SettlementBody Body => new(SettlementId, InsuredId, Infrastructure.Guilin.Region, "2020-10-01", "2020-10-12", Eligible + 30_000m, 30_000m);
    }

    private sealed record Answered(Sent Request, HttpStatusCode Status, string AdjudicationId, decimal Payout);

    public async Task InitializeAsync()
    {
        _connectionString = new NpgsqlConnectionStringBuilder(await TestPostgres.CreateDatabaseAsync(_database)) { MaxPoolSize = 8 }.ConnectionString;
        _hospitalKey = await RunningService.CreateKeyAsync(_connectionString, "--role", "hospital", "--hospital", GuilinHospital, "--name", "process-tests");
    }

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_database);

    [Fact]
    public async Task KillingTheServiceMidLoadLosesNoAnsweredRequestAndLeavesNoAuditRowWithoutItsAdjudication()
    {
        var people = Enumerable.Range(0, 24).Select(_ => NewInsuredId()).ToList();
        var answered = new ConcurrentQueue<Answered>();
        var unanswered = new ConcurrentQueue<Sent>();
        using (var service = await RunningService.StartAsync(_connectionString, Batched))
        {
            using var hospital = service.Client(_hospitalKey);
            var killed = false;
            // Each worker sends until a request of its own fails after the kill: what was in flight when the process died,
            // or sent to it once dead (never arrived). Either is unanswered; both must be settled once when sent again.
            var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                while (true)
                {
                    var sent = new Sent(NewSettlementId("K"), people[random.Next(people.Count)], random.Next(100_000, 2_000_000) / 100m, random.Next(4) == 0);
                    try
                    {
                        answered.Enqueue(await SendAsync(hospital, sent));
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException && Volatile.Read(ref killed))
                    {
                        if (!sent.Preview) unanswered.Enqueue(sent);
                        return;
                    }
                }
            })).ToList();

            // Killed at a random moment after 150 settlements were answered.
            while (answered.Count(a => !a.Request.Preview) < 150)
            {
                Assert.DoesNotContain(workers, t => t.IsFaulted);
                await Task.Delay(5);
            }
            await Task.Delay(Random.Shared.Next(0, 50));
            Volatile.Write(ref killed, true);
            service.Kill();
            await Task.WhenAll(workers);
        }
        Assert.NotEmpty(unanswered);

        await using var db = new NpgsqlConnection(_connectionString);
        // Every answered settlement is kept, as answered; every answered preview has its audit row.
        var rows = (await db.QueryAsync<(string Id, string SettlementId, long PayoutFen)>(
            "SELECT id, settlement_id, payout_fen FROM adjudications WHERE kind = 'settlement'")).ToDictionary(r => r.SettlementId);
        foreach (var a in answered.Where(a => !a.Request.Preview))
        {
            Assert.True(rows.TryGetValue(a.Request.SettlementId, out var row), $"{a.Request.SettlementId} was answered {(int)a.Status} and is not in the database.");
            Assert.Equal(a.AdjudicationId, row.Id);
            Assert.Equal(a.Payout, row.PayoutFen / 100m);
        }
        var previewed = (await db.QueryAsync<string>("SELECT adjudication_id FROM audit_log WHERE kind = 'preview'")).ToHashSet();
        Assert.All(answered.Where(a => a.Request.Preview), a => Assert.Contains(a.AdjudicationId, previewed));
        // The audit log and the adjudications commit together: no entry without its row, no row without its one entry.
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM audit_log a WHERE a.kind IN ('settlement', 'reversal', 'adjustment') AND a.outcome = 'accepted'
            AND NOT EXISTS (SELECT 1 FROM adjudications d WHERE d.id = a.adjudication_id)
            """));
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM adjudications d
            WHERE (SELECT COUNT(*) FROM audit_log a WHERE a.adjudication_id = d.id) <> 1
            """));
        await AssertLedgersAreTheirRowsAsync(db);

        // A new process: every request that got no answer, sent again, settles once (201) or replays what committed (200).
        using var restarted = await RunningService.StartAsync(_connectionString, Batched);
        using var again = restarted.Client(_hospitalKey);
        foreach (var sent in unanswered)
        {
            var answer = await SendAsync(again, sent);
            if (rows.TryGetValue(sent.SettlementId, out var committed))
                Assert.Equal((HttpStatusCode.OK, committed.Id), (answer.Status, answer.AdjudicationId));
            else
                Assert.Equal(HttpStatusCode.Created, answer.Status);
        }
        await AssertLedgersAreTheirRowsAsync(db);
        await AssertEachLedgerPaysOneStayOfItsTotalAsync(db, again, people);
    }

    [Fact]
    public async Task TwoBatchedInstancesSettlingTheSamePersonYearsAtOnceStayExact()
    {
        var people = Enumerable.Range(0, 8).Select(_ => NewInsuredId()).ToList();
        var random = new Random(12);
        var stays = Enumerable.Range(0, 160)
            .Select(_ => new Sent(NewSettlementId("T"), people[random.Next(people.Count)], random.Next(100_000, 2_000_000) / 100m, false)).ToList();
        using var first = await RunningService.StartAsync(_connectionString, Batched);
        using var second = await RunningService.StartAsync(_connectionString, Batched);
        using var a = first.Client(_hospitalKey);
        using var b = second.Client(_hospitalKey);

        // Every stay sent to both instances at once, in a shuffled order each: shared person-years and shared keys across instances.
        var answers = new ConcurrentBag<Answered>();
        await Task.WhenAll(new[] { (a, 1), (b, 2) }.Select(async pair =>
        {
            var shuffle = new Random(pair.Item2);
            var order = stays.OrderBy(_ => shuffle.Next()).ToList();
            await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (sent, _) => answers.Add(await SendAsync(pair.Item1, sent)));
        }));

        foreach (var group in answers.GroupBy(x => x.Request.SettlementId))
        {
            Assert.Equal(2, group.Count());
            Assert.Single(group, x => x.Status == HttpStatusCode.Created);
            var created = group.Single(x => x.Status == HttpStatusCode.Created);
            var other = group.Single(x => x != created);
            if (other.Status == HttpStatusCode.OK) Assert.Equal((created.AdjudicationId, created.Payout), (other.AdjudicationId, other.Payout));
            else Assert.Equal(HttpStatusCode.Conflict, other.Status);
        }

        await using var db = new NpgsqlConnection(_connectionString);
        Assert.Equal((long)stays.Count, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM adjudications WHERE kind = 'settlement'"));
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM adjudications d
            WHERE (SELECT COUNT(*) FROM audit_log a WHERE a.adjudication_id = d.id) <> 1
            """));
        await AssertLedgersAreTheirRowsAsync(db);
        await AssertEachLedgerPaysOneStayOfItsTotalAsync(db, a, people);
    }

    /// <summary>
    /// Settles (or previews) and reads the answer, as a hospital's client does: a 503 (the database slow or out of reach, on a
    /// loaded machine a lock wait past the deadline) is sent again, the same request; any other problem fails the test.
    /// </summary>
    private static async Task<Answered> SendAsync(HttpClient client, Sent sent)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.PostAsJsonAsync(sent.Preview ? "/v1/settlements/preview" : "/v1/settlements", sent.Body.ToJson());
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 20)
            {
                await Task.Delay(250);
                continue;
            }
            return Read(sent, response.StatusCode, text);
        }
    }

    private static Answered Read(Sent sent, HttpStatusCode status, string text)
    {
        if (status == HttpStatusCode.Conflict) return new Answered(sent, status, "", 0m);
        Assert.True(status is HttpStatusCode.Created or HttpStatusCode.OK, $"{sent}: {(int)status} {text}");
        var body = JsonDocument.Parse(text).RootElement;
        return new Answered(sent, status, body.GetProperty("adjudicationId").GetString()!, body.GetProperty("payout").GetDecimal());
    }

    /// <summary>Each ledger is the sum of its rows, its version their count, its rows numbered 1…n.</summary>
    private static async Task AssertLedgersAreTheirRowsAsync(NpgsqlConnection db)
    {
        var wrong = await db.QueryAsync<string>("""
            SELECT l.insured_id FROM ledgers l
            LEFT JOIN (SELECT region_code, insured_id, policy_year, SUM(eligible_amount_fen) AS eligible, SUM(payout_fen) AS paid,
                              COUNT(*) AS n, MAX(sequence) AS last
                       FROM adjudications WHERE kind <> 'preview' GROUP BY region_code, insured_id, policy_year) d
              ON d.region_code = l.region_code AND d.insured_id = l.insured_id AND d.policy_year = l.policy_year
            WHERE COALESCE(d.eligible, 0) <> l.eligible_to_date_fen OR COALESCE(d.paid, 0) <> l.paid_to_date_fen
               OR COALESCE(d.n, 0) <> l.version OR COALESCE(d.last, 0) <> l.version
            """);
        Assert.Empty(wrong);
    }

    /// <summary>Each person-year pays what a preview of one stay of its whole eligible amount pays a fresh person.</summary>
    private static async Task AssertEachLedgerPaysOneStayOfItsTotalAsync(NpgsqlConnection db, HttpClient client, IEnumerable<string> people)
    {
        foreach (var person in people)
        {
            var (eligible, paid) = await db.QuerySingleOrDefaultAsync<(long Eligible, long Paid)>(
                "SELECT eligible_to_date_fen, paid_to_date_fen FROM ledgers WHERE region_code = @region AND insured_id = @person AND policy_year = 2020",
                new { region = Infrastructure.Guilin.Region, person });
            var single = await SendAsync(client, new Sent(NewSettlementId("S"), NewInsuredId(), eligible / 100m, Preview: true));
            Assert.True(single.Payout == paid / 100m, $"{person}: {eligible / 100m} eligible paid {paid / 100m}, one stay of it pays {single.Payout}");
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// The database goes away under a stream of settlements and comes back: while it is gone the service answers
/// 503 database_unavailable with Retry-After, quickly; it recovers by itself; and the ledger holds exactly the
/// settlements that were answered 2xx.
/// </summary>
public abstract class DatabaseOutageSuite(bool batching) : IAsyncLifetime
{
    private static readonly TimeSpan FastEnough = TimeSpan.FromSeconds(2);

    private enum Phase { Up, Stopping, Down, Starting, Restarted }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("Waited 30 s for the stream of settlements.");
            await Task.Delay(50);
        }
    }

    private sealed record Attempt(string Id, Phase SentIn, Phase AnsweredIn, HttpStatusCode Status, TimeSpan Elapsed, string? ContentType, string? Code, string? RetryAfter);

    /// <summary>The service on the test's own cluster, with a short connect timeout so an unreachable server is noticed quickly.</summary>
    private sealed class OutageAppFactory(string server, bool batching) : PostgresAppFactory(server, b => b.Timeout = 2)
    {
        protected override bool Batching => batching;
    }

    /// <summary>Short timeouts, so a freeze test is quick: 2 s per attempt, 3 s in all (Database:TotalTimeoutSeconds).</summary>
    private sealed class FreezeAppFactory(string server, bool batching) : PostgresAppFactory(server, b => b.Timeout = 2)
    {
        protected override bool Batching => batching;

        public const int TotalTimeoutSeconds = 3;

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Database:TimeoutSeconds", "2");
            builder.UseSetting("Database:TotalTimeoutSeconds", TotalTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private ThrowawayPostgresCluster _cluster = null!;
    private OutageAppFactory _factory = null!;
    private volatile Phase _phase;

    public async Task InitializeAsync()
    {
        _cluster = await ThrowawayPostgresCluster.StartNewAsync();
        _factory = new OutageAppFactory(_cluster.ConnectionString, batching);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    /// <summary>
    /// Issue 9: during a 9 s freeze (the server neither answers nor closes anything) requests waited the 9 s for their
    /// 503. Database:TotalTimeoutSeconds bounds them: each answers 503 database_unavailable within it (plus the
    /// answer's own way out), and every request the service refused can be sent again once the server is back.
    /// </summary>
    [Fact]
    public async Task RequestsGet503WithinTheTotalTimeoutWhileTheDatabaseIsFrozen()
    {
        await using var factory = new FreezeAppFactory(_cluster.ConnectionString, batching);
        var bound = TimeSpan.FromSeconds(FreezeAppFactory.TotalTimeoutSeconds + 1.5);
        var hospital = Guilin.HospitalClient(factory);
        hospital.Timeout = TimeSpan.FromSeconds(60);
        var insured = Guilin.NewInsuredId();
        var attempts = new ConcurrentQueue<Attempt>();

        async Task<Attempt> SendAsync(string id)
        {
            var sentIn = _phase;
            var clock = Stopwatch.StartNew();
            using var response = await hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, 1000m));
            var elapsed = clock.Elapsed;
            var body = await response.Content.ReadAsStringAsync();
            string? code = null;
            if (!response.IsSuccessStatusCode && body.StartsWith('{'))
                code = JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
            return new Attempt(id, sentIn, _phase, response.StatusCode, elapsed, response.Content.Headers.ContentType?.MediaType, code,
                response.Headers.RetryAfter?.ToString());
        }

        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Created, (await SendAsync(Guilin.NewSettlementId("Z"))).Status);

        _phase = Phase.Down;
        await _cluster.FreezeAsync();
        var frozen = Stopwatch.StartNew();
        try
        {
            async Task SendWhileFrozenAsync()
            {
                while (frozen.Elapsed < TimeSpan.FromSeconds(9) - bound)
                {
                    attempts.Enqueue(await SendAsync(Guilin.NewSettlementId("Z")));
                    await Task.Delay(100);
                }
            }
            await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(SendWhileFrozenAsync)));
            await Task.Delay(TimeSpan.FromSeconds(9) - frozen.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
        }
        finally
        {
            await _cluster.ThawAsync();
            _phase = Phase.Restarted;
        }

        var during = attempts.ToList();
        var summary = string.Join(", ", during.Select(a => $"{(int)a.Status} {a.Elapsed.TotalMilliseconds:0} ms"));
        Assert.True(during.Count >= 2, $"Too few requests during the freeze: {summary}");
        Assert.All(during, a =>
        {
            Assert.True(a.Elapsed < bound, $"A request during the freeze took {a.Elapsed.TotalMilliseconds:0} ms (bound {bound.TotalSeconds} s): {summary}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status);
            Assert.Equal("application/problem+json", a.ContentType);
            Assert.Equal("database_unavailable", a.Code);
            Assert.False(string.IsNullOrEmpty(a.RetryAfter), "503 without Retry-After");
        });

        // Back: the same service finds the database again, and a refused settlement sent again is settled once.
        var back = Stopwatch.StartNew();
        foreach (var refused in during)
        {
            Attempt again;
            while ((again = await SendAsync(refused.Id)).Status == HttpStatusCode.ServiceUnavailable && back.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(250);
            Assert.Contains(again.Status, new[] { HttpStatusCode.Created, HttpStatusCode.OK });
        }
        var ledger = await Guilin.LedgerAsync(hospital, insured);
        Assert.Equal(Guilin.SingleShotPayout(factory, 1000m * (5 + during.Count)), ledger.GetProperty("paidToDate").GetDecimal());
    }

    [Fact]
    public async Task SettlementsGetFast503sWhileTheDatabaseIsDownAndOnlyAnswered2xxAreInTheLedgerAfterItRecovers()
    {
        var hospital = Guilin.HospitalClient(_factory);
        hospital.Timeout = TimeSpan.FromSeconds(30);
        using var ops = _factory.ClientFor("ops");
        var insured = Guilin.NewInsuredId();
        var attempts = new ConcurrentQueue<Attempt>();
        using var sending = new CancellationTokenSource();

        async Task SendUntilCancelledAsync()
        {
            while (!sending.IsCancellationRequested)
            {
                var id = Guilin.NewSettlementId("F");
                var sentIn = _phase;
                var clock = Stopwatch.StartNew();
                using var response = await hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, 1000m));
                var elapsed = clock.Elapsed;
                var body = await response.Content.ReadAsStringAsync();
                string? code = null;
                if (!response.IsSuccessStatusCode && body.StartsWith('{'))
                    code = JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
                attempts.Enqueue(new Attempt(id, sentIn, _phase, response.StatusCode, elapsed, response.Content.Headers.ContentType?.MediaType, code,
                    response.Headers.RetryAfter?.ToString()));
                await Task.Delay(25);
            }
        }

        var senders = Enumerable.Range(0, 2).Select(_ => Task.Run(SendUntilCancelledAsync)).ToList();
        try
        {
            // A steady stream first (the first requests also warm the service up).
            await UntilAsync(() => attempts.Count(a => a.Status == HttpStatusCode.Created) >= 20);
            _phase = Phase.Stopping;
            await _cluster.StopAsync();
            _phase = Phase.Down;
            await Task.Delay(TimeSpan.FromSeconds(3));
            _phase = Phase.Starting;
            await _cluster.StartAsync();
            _phase = Phase.Restarted;
            // The same service instance, not restarted: it must find the database again by itself.
            await UntilAsync(() => attempts.Any(a => a.SentIn == Phase.Restarted && a.Status == HttpStatusCode.Created));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        finally
        {
            await sending.CancelAsync();
            await Task.WhenAll(senders);
        }

        var all = attempts.ToList();
        var summary = string.Join(", ", all.GroupBy(a => (a.SentIn, a.Status)).Select(g => $"{g.Key.SentIn}/{(int)g.Key.Status}×{g.Count()}"));
        // Answered before the stop began: the database was there.
        Assert.All(all.Where(a => a.AnsweredIn == Phase.Up), a => Assert.Equal(HttpStatusCode.Created, a.Status));
        // Sent and answered while the server was stopped: nothing could have been written.
        Assert.All(all.Where(a => a.SentIn == Phase.Down && a.AnsweredIn == Phase.Down), a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status));
        Assert.All(all, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable }));
        var refused = all.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.True(refused.Count > 0, $"No 503 while the database was down: {summary}");
        Assert.All(refused, a =>
        {
            Assert.True(a.Elapsed < FastEnough, $"A 503 sent while {a.SentIn} took {a.Elapsed.TotalMilliseconds:0} ms");
            Assert.Equal("application/problem+json", a.ContentType);
            Assert.Equal("database_unavailable", a.Code);
            Assert.False(string.IsNullOrEmpty(a.RetryAfter), "503 without Retry-After");
        });
        Assert.True(all.Any(a => a.SentIn == Phase.Restarted && a.Status == HttpStatusCode.Created), $"No 201 after the database came back: {summary}");
        Assert.Equal(HttpStatusCode.Created, all.Where(a => a.SentIn == Phase.Restarted).Last().Status);

        await using var db = await _factory.OpenDatabaseAsync();
        var stored = (await db.QueryAsync<string>("SELECT settlement_id FROM adjudications WHERE insured_id = @insured", new { insured })).ToList();
        var answered = all.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.Id).ToList();
        Assert.Equal(answered.Order(), stored.Order());
        var ledger = await Guilin.LedgerAsync(hospital, insured);
        Assert.Equal(Guilin.SingleShotPayout(_factory, 1000m * answered.Count), ledger.GetProperty("paidToDate").GetDecimal());

        // The fleet figures of the ops summary missed no request, not even a 503 of the key check: this instance's flushes
        // that failed while the database was down were written once it came back (all in one minute of the frozen clock).
        var latency = (await ops.GetFromJsonAsync<JsonElement>("/v1/ops/summary")).GetProperty("latency");
        Assert.Equal("fleet", latency.GetProperty("source").GetString());
        Assert.Equal(all.Count, latency.GetProperty("count").GetInt32());
        Assert.Equal(answered.Count, latency.GetProperty("outcomes").GetProperty("accepted").GetInt32());
        Assert.Equal(refused.Count, latency.GetProperty("outcomes").GetProperty("error").GetInt32());
    }
}

public sealed class DatabaseOutageTests() : DatabaseOutageSuite(batching: true);
public sealed class UnbatchedDatabaseOutageTests() : DatabaseOutageSuite(batching: false);

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Browser.Tests.Infrastructure;

namespace ClaimsService.Browser.Tests;

[Collection(OpsCollection.Name)]
public sealed partial class TelemetryTests(OpsAppFactory factory) : IClassFixture<OpsAppFactory>
{
    [Fact]
    public async Task MetricsEndpointExposesTheServiceInstrumentsAfterSettlements()
    {
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000001"));
        using var scraper = new HttpClient { BaseAddress = factory.BaseAddress };
        var before = await scraper.GetStringAsync("/metrics");
        var burst = await Traffic.BurstAsync(factory, hospital, "MET");

        // Counters are cumulative over the factory's life: compare the burst with the difference of two scrapes.
        // The scrape after the burst must see every settlement of it; allow the exporter a moment under load.
        var metrics = await scraper.GetStringAsync("/metrics");
        for (var wait = 0; wait < 20 && SettledSince(before, metrics) < burst.Settled; wait++)
        {
            await Task.Delay(250);
            metrics = await scraper.GetStringAsync("/metrics");
        }
        double Delta(string name, Func<Sample, bool> which) =>
            Samples(metrics, name).Where(which).Sum(s => s.Value) - Samples(before, name).Where(which).Sum(s => s.Value);

        Assert.Equal(burst.Settled, Delta("claims_adjudications_total", s => s.Labels["kind"] == "settlement" && s.Labels["outcome"] == "accepted"));
        Assert.Equal(["220100", "450100", "450300", "530100"], Samples(metrics, "claims_adjudications_total")
            .Where(s => s.Labels["kind"] == "settlement" && s.Labels["outcome"] == "accepted").Select(s => s.Labels["region"]).Order().ToArray());
        Assert.Equal(burst.Rejected, Delta("claims_adjudications_total", s => s.Labels["outcome"] == "rejected" && s.Labels["kind"] != "reversal" && s.Labels["region"] == "other"));
        Assert.Equal(1, Delta("claims_adjudications_total", s => s.Labels["outcome"] == "rejected" && s.Labels["kind"] == "reversal")); // the reversal of nothing
        Assert.Equal(burst.Reversed, Delta("claims_adjudications_total", s => s.Labels["kind"] == "reversal" && s.Labels["outcome"] == "accepted"));
        Assert.Equal(burst.Replayed, Delta("claims_adjudications_total", s => s.Labels["outcome"] == "replayed"));
        Assert.Equal(burst.Invalid, Delta("claims_adjudications_total", s => s.Labels["outcome"] == "invalid"));
        Assert.Equal((double)burst.SettlementPayout, Delta("claims_payout_cny_total", s => s.Labels["kind"] == "settlement" && s.Labels["direction"] == "paid"), 2);
        Assert.Equal((double)-burst.ReversalPayout, Delta("claims_payout_cny_total", s => s.Labels["kind"] == "reversal" && s.Labels["direction"] == "recovered"), 2);
        Assert.Equal(burst.Settled, Delta("claims_adjudication_duration_seconds_count", s => s.Labels["kind"] == "settlement" && s.Labels["outcome"] == "accepted"));
        Assert.Contains(Samples(metrics, "claims_parameter_cache_refreshes_total"), s => s.Value > 0);
        // The commit pipeline (batching on by default): every settlement went through a batch; waits and flushes are timed.
        Assert.True(Delta("claims_batch_size_sum", s => s.Labels["queue"] == "settlements") >= burst.Settled);
        Assert.True(Delta("claims_batch_queue_wait_seconds_count", s => s.Labels["queue"] == "settlements") >= burst.Settled);
        Assert.True(Delta("claims_batch_flush_seconds_count", s => s.Labels["queue"] == "settlements") >= 1);
        Assert.Equal(0, Samples(metrics, "claims_database_circuit_state").Single().Value);
        // Polly's meter (the claims-db pipeline) and ASP.NET Core's are exported with ours.
        Assert.Contains(Samples(metrics, "resilience_polly_pipeline_duration_milliseconds_count"), s => s.Labels["pipeline_name"] == "claims-db" && s.Value > 0);
        Assert.Contains(Samples(metrics, "http_server_request_duration_seconds_count"), s => s.Labels.GetValueOrDefault("http_route") == "/v1/settlements/");
        // No label anywhere carries a resident ID.
        foreach (var id in burst.InsuredIds) Assert.DoesNotContain(id, metrics);
    }

    private static double SettledSince(string before, string after)
    {
        static double Settled(string scrape) => Samples(scrape, "claims_adjudications_total")
            .Where(s => s.Labels["kind"] == "settlement" && s.Labels["outcome"] == "accepted").Sum(s => s.Value);
        return Settled(after) - Settled(before);
    }

    // Series that exist only once something happened (a retry, a breaker transition, a 5xx, a full commit queue): not in a quiet scrape.
    private static readonly string[] EventOnlyMetrics = ["resilience_polly_strategy_events_total", "claims_batch_rejected_total"];

    [Fact]
    public async Task EveryMetricTheGrafanaDashboardQueriesIsOneTheServiceExports()
    {
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000001"));
        await Traffic.BurstAsync(factory, hospital, "GRF", rounds: 1);
        // Reading the summary flushes this instance's fleet figures, as the background flusher would a few seconds later.
        using var ops = factory.NetworkClient(factory.CreateKey("ops"));
        Assert.True((await ops.GetAsync("/v1/ops/summary")).IsSuccessStatusCode);
        using var scraper = new HttpClient { BaseAddress = factory.BaseAddress };
        var exported = (await scraper.GetStringAsync("/metrics")).Split('\n').Where(l => !l.StartsWith('#'))
            .Select(l => SampleLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["name"].Value).ToHashSet();

        var dashboard = await File.ReadAllTextAsync(Api.Tests.Infrastructure.ClaimsAppFactory.RepositoryPath("deploy", "grafana", "dashboards", "claims-service.json"));
        var queried = MetricName().Matches(dashboard).Select(m => m.Value).ToHashSet();

        Assert.Contains("claims_adjudications_total", queried);
        Assert.Contains("claims_payout_cny_total", queried);
        Assert.Empty(queried.Except(exported).Except(EventOnlyMetrics));
    }

    [GeneratedRegex("""\b(claims|resilience|http_server)_[a-z0-9_]+""")]
    private static partial Regex MetricName();

    [Fact]
    public async Task NoResidentIdReachesTheLogsOrTheSpans()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = Listen(activities);
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000001"));

        var burst = await Traffic.BurstAsync(factory, hospital, "LOG");
        await Task.Delay(500); // server spans stop just after the response is sent

        var logs = factory.Logs.Entries;
        Assert.True(logs.Count(l => l.Message.StartsWith("settlement accepted", StringComparison.Ordinal)) >= burst.Settled);
        Assert.Contains(logs, l => l.Message.StartsWith("settlement rejected", StringComparison.Ordinal) && l.Message.Contains("unknown_region"));
        Assert.Contains(logs, l => l.Message.StartsWith("settlement invalid", StringComparison.Ordinal) && l.Message.Contains("insuredId"));
        Assert.Contains(logs, l => l.Message.StartsWith("reversal accepted", StringComparison.Ordinal));
        foreach (var id in burst.InsuredIds)
        {
            var leak = logs.FirstOrDefault(l => l.Texts().Any(t => t.Contains(id, StringComparison.OrdinalIgnoreCase)));
            Assert.True(leak is null, $"resident ID in a log entry: {leak}");
        }

        // The test's own HttpClient spans (System.Net.Http) name the URLs it called; they are not the service's.
        var service = activities.Where(a => a.Source.Name != "System.Net.Http").ToList();
        var adjudications = service.Where(a => a.Source.Name == "ClaimsService").ToList();
        Assert.True(adjudications.Count(a => a.DisplayName == "adjudicate settlement") >= burst.Settled);
        Assert.Contains(adjudications, a => a.GetTagItem("claims.outcome") as string == "rejected" && a.GetTagItem("claims.code") as string == "unknown_region");
        Assert.Contains(adjudications, a => a.DisplayName == "adjudicate reversal" && a.GetTagItem("claims.outcome") as string == "accepted");
        var ledger = service.Where(a => (a.GetTagItem("http.route") as string)?.StartsWith("/v1/ledgers/", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(ledger);
        Assert.All(ledger, a => Assert.Contains("********", a.GetTagItem("url.path") as string));
        foreach (var id in burst.InsuredIds)
        {
            var leak = service.FirstOrDefault(a => Texts(a).Any(t => t.Contains(id, StringComparison.OrdinalIgnoreCase)));
            Assert.True(leak is null, $"resident ID in span {leak?.Source.Name}/{leak?.DisplayName}: {string.Join(", ", leak is null ? [] : Texts(leak))}");
        }
    }

    [Fact]
    public async Task AResidentIdInsideASettlementIdIsMaskedInTheLogsAndTheSpans()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = Listen(activities);
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000001"));
        var embedded = Requests.NewInsuredId();
        var body = Requests.Settlement() with { SettlementId = $"ZY{embedded}" };

        await (await hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
        await (await hospital.GetAsync($"/v1/settlements/ZY{embedded}")).ShouldBeAsync(HttpStatusCode.OK);
        await Task.Delay(500); // server spans stop just after the response is sent

        var logs = factory.Logs.Entries;
        Assert.Contains(logs, l => l.Message.Contains($"ZY{ResidentIdMask(embedded)}", StringComparison.Ordinal));
        var leak = logs.FirstOrDefault(l => l.Texts().Any(t => t.Contains(embedded, StringComparison.OrdinalIgnoreCase)));
        Assert.True(leak is null, $"resident ID in a log entry: {leak}");
        var service = activities.Where(a => a.Source.Name != "System.Net.Http").ToList();
        Assert.Contains(service, a => Texts(a).Any(t => t.Contains(ResidentIdMask(embedded), StringComparison.Ordinal)));
        var spanLeak = service.FirstOrDefault(a => Texts(a).Any(t => t.Contains(embedded, StringComparison.OrdinalIgnoreCase)));
        Assert.True(spanLeak is null, $"resident ID in span {spanLeak?.DisplayName}: {string.Join(", ", spanLeak is null ? [] : Texts(spanLeak))}");
    }

    private static string ResidentIdMask(string id) => Domain.ResidentId.Mask(id);

    /// <summary>Records every span of every source that stops while the listener lives.</summary>
    private static ActivityListener Listen(ConcurrentQueue<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static IEnumerable<string> Texts(Activity a) =>
    [
        a.DisplayName, a.OperationName, a.StatusDescription ?? "",
        .. a.TagObjects.Select(t => $"{t.Key}={t.Value}"),
        .. a.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")),
        .. a.Baggage.Select(b => $"{b.Key}={b.Value}"),
    ];

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)" """ + ",?", RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex LabelPair();

    /// <summary>The samples of one metric in a Prometheus text exposition.</summary>
    public static IEnumerable<Sample> Samples(string exposition, string name) =>
        exposition.Split('\n').Where(l => !l.StartsWith('#')).Select(l => SampleLine().Match(l)).Where(m => m.Success && m.Groups["name"].Value == name)
            .Select(m => new Sample(name,
                LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(p => p.Groups["key"].Value, p => p.Groups["value"].Value),
                double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
}

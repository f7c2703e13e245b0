using System.Diagnostics;
using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;

namespace ClaimsService.Api.Telemetry;

/// <summary>
/// The service's own instruments, on the one Meter named after the service. Labels are low-cardinality by design:
/// kind, outcome, a configured region code (anything else is "other"), never a person or a settlement.
/// Prometheus names: claims_adjudications_total, claims_adjudication_duration_seconds, claims_payout_cny_total,
/// claims_parameter_cache_refreshes_total, claims_database_circuit_state, claims_ops_flushes_total, and of the commit pipeline
/// (label queue: settlements, audit) claims_batch_size, claims_batch_queue_wait_seconds, claims_batch_flush_seconds, claims_batch_rejected_total.
/// </summary>
public sealed class ClaimsMetrics
{
    public const string Adjudications = "claims.adjudications";
    public const string Duration = "claims.adjudication.duration";
    public const string Payout = "claims.payout.cny";
    public const string CacheRefreshes = "claims.parameter_cache.refreshes";
    public const string Adjustments = "claims.adjustments";
    public const string CircuitState = "claims.database.circuit_state";
    public const string BatchSize = "claims.batch.size";
    public const string BatchQueueWait = "claims.batch.queue_wait";
    public const string BatchFlush = "claims.batch.flush";
    public const string BatchRejected = "claims.batch.rejected";
    public const string OpsFlushes = "claims.ops.flushes";

    private readonly Counter<long> _adjudications;
    private readonly Histogram<double> _duration;
    private readonly Counter<double> _payout;
    private readonly Counter<long> _refreshes;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _flush;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _flushes;
    private readonly Counter<long> _adjustments;

    public ClaimsMetrics(IMeterFactory meters, CircuitBreakerStateProvider circuit)
    {
        var meter = meters.Create(ClaimsTelemetry.ServiceName);
        _adjudications = meter.CreateCounter<long>(Adjudications, "{adjudication}",
            "Adjudication requests (settlement, preview, reversal) by kind, region and outcome (accepted, replayed, rejected, invalid, error).");
        _duration = meter.CreateHistogram(Duration, "s", "Time to adjudicate one request, validation to answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        // A counter only goes up: amounts are magnitudes, and "direction" says whether the fund paid or recovered them.
        _payout = meter.CreateCounter<double>(Payout, null,
            "Payout amounts in CNY by kind (settlement, reversal, adjustment), region and direction (paid, recovered).");
        _refreshes = meter.CreateCounter<long>(CacheRefreshes, "{refresh}",
            "Parameter-set cache refresh attempts by result (reloaded, unchanged, failed).");
        _batchSize = meter.CreateHistogram<int>(BatchSize, "{request}", "Requests committed together in one batch, by queue.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        var fast = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] };
        _queueWait = meter.CreateHistogram(BatchQueueWait, "s", "Time a request waited in its queue before its batch started, by queue.", advice: fast);
        _flush = meter.CreateHistogram(BatchFlush, "s", "Time from a batch's start to its commit (retries included), by queue.", advice: fast);
        _rejected = meter.CreateCounter<long>(BatchRejected, "{request}", "Requests refused because their queue was full (503 overloaded), by queue.");
        _flushes = meter.CreateCounter<long>(OpsFlushes, "{flush}",
            "Writes of this instance's per-minute request figures to the database for the fleet dashboard, by result (written, failed).");
        _adjustments = meter.CreateCounter<long>(Adjustments, "{adjustment}",
            "Adjustments written, by region, source (reversal, run) and direction (top_up 补付, recovery 追回).");
        meter.CreateObservableGauge(CircuitState, () => (int)circuit.CircuitState, "{state}",
            "The claims-db circuit breaker: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    public void Adjudicated(string kind, string region, string outcome, double seconds)
    {
        var tags = new TagList { { "kind", kind }, { "region", region }, { "outcome", outcome } };
        _adjudications.Add(1, tags);
        _duration.Record(seconds, new TagList { { "kind", kind }, { "outcome", outcome } });
    }

    public void PaidOut(string kind, string region, decimal amount)
    {
        if (amount == 0) return;
        _payout.Add((double)Math.Abs(amount), new TagList { { "kind", kind }, { "region", region }, { "direction", amount > 0 ? "paid" : "recovered" } });
    }

    public void BatchStarted(string queue, int size) => _batchSize.Record(size, new KeyValuePair<string, object?>("queue", queue));

    public void QueueWaited(string queue, double seconds) => _queueWait.Record(seconds, new KeyValuePair<string, object?>("queue", queue));

    public void BatchFlushed(string queue, double seconds) => _flush.Record(seconds, new KeyValuePair<string, object?>("queue", queue));

    public void QueueFull(string queue) => _rejected.Add(1, new KeyValuePair<string, object?>("queue", queue));
    public void OpsFlushed(string result) => _flushes.Add(1, new KeyValuePair<string, object?>("result", result));
    /// <summary>One adjustment: a top-up (补付, positive) or a recovery (追回, negative), counted apart.</summary>
    public void Adjusted(string region, string source, decimal difference)
    {
        if (difference == 0) return;
        _adjustments.Add(1, new TagList { { "region", region }, { "source", source }, { "direction", difference > 0 ? "top_up" : "recovery" } });
        PaidOut("adjustment", region, difference);
    }

    public void CacheRefreshed(string result) => _refreshes.Add(1, new KeyValuePair<string, object?>("result", result));
}

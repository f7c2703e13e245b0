using ClaimsService.Api.Ops;

namespace ClaimsService.Api.Telemetry;

/// <summary>
/// This instance's adjudications over the last hour, by minute of the injected clock: outcome counts and a
/// bounded sample of durations per minute, for the dashboard's latency percentiles and error rate; and per outcome and
/// problem code a count and a <see cref="RequestHistogram"/>, which <c>OpsFlusher</c> writes to the database for the fleet.
/// </summary>
public sealed class AdjudicationWindow(TimeProvider time)
{
    public const int Minutes = 60;
    /// <summary>Up to this many durations are kept per minute (reservoir sampling beyond it): exact below, close above.</summary>
    private const int SamplesPerMinute = 4096;

    private readonly Lock _lock = new();
    private readonly Dictionary<DateTime, Bucket> _buckets = [];

    private sealed class Bucket
    {
        public readonly Dictionary<string, long> Outcomes = [];
        public readonly List<double> Samples = [];
        public readonly Dictionary<(string Outcome, string Code), long[]> Cells = [];
        public long Seen;
    }

    /// <summary>Minutes recorded into since the last <see cref="TakeChanged"/>.</summary>
    private readonly HashSet<DateTime> _changed = [];

    public void Record(string outcome, double milliseconds, string? code = null)
    {
        var minute = MinuteOf(time.GetUtcNow().UtcDateTime);
        lock (_lock)
        {
            if (!_buckets.TryGetValue(minute, out var bucket))
            {
                _buckets[minute] = bucket = new Bucket();
                foreach (var old in _buckets.Keys.Where(k => k <= minute.AddMinutes(-Minutes)).ToList()) _buckets.Remove(old);
            }
            bucket.Outcomes[outcome] = bucket.Outcomes.GetValueOrDefault(outcome) + 1;
            bucket.Seen++;
            var key = (outcome, code is { Length: > 0 and <= 64 } ? code : "");
            if (!bucket.Cells.TryGetValue(key, out var cell)) bucket.Cells[key] = cell = new long[RequestHistogram.Length];
            cell[RequestHistogram.BucketOf(milliseconds)]++;
            _changed.Add(minute);
            if (bucket.Samples.Count < SamplesPerMinute) bucket.Samples.Add(milliseconds);
            else if (Random.Shared.NextInt64(bucket.Seen) is var slot && slot < SamplesPerMinute) bucket.Samples[(int)slot] = milliseconds;
        }
    }

    /// <summary>The last <see cref="Minutes"/> minutes up to now, oldest first, and the percentiles over all of them.</summary>
    public LatencySummary Snapshot()
    {
        var last = MinuteOf(time.GetUtcNow().UtcDateTime);
        var first = last.AddMinutes(1 - Minutes);
        var perMinute = new List<LatencyMinute>(Minutes);
        var all = new List<double>();
        var outcomes = new Dictionary<string, long>();
        lock (_lock)
        {
            for (var m = first; m <= last; m = m.AddMinutes(1))
            {
                if (!_buckets.TryGetValue(m, out var b) || b.Seen == 0)
                {
                    perMinute.Add(new LatencyMinute(m, 0, null, null, null));
                    continue;
                }
                var sorted = b.Samples.Order().ToArray();
                perMinute.Add(new LatencyMinute(m, b.Seen, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99)));
                all.AddRange(sorted);
                foreach (var (k, v) in b.Outcomes) outcomes[k] = outcomes.GetValueOrDefault(k) + v;
            }
        }
        var every = all.Order().ToArray();
        var count = outcomes.Values.Sum();
        var errors = outcomes.GetValueOrDefault(Outcomes.Error);
        return new LatencySummary(Minutes, count, Percentile(every, 0.50), Percentile(every, 0.95), Percentile(every, 0.99),
            new OutcomeCounts(outcomes.GetValueOrDefault(Outcomes.Accepted), outcomes.GetValueOrDefault(Outcomes.Replayed),
                outcomes.GetValueOrDefault(Outcomes.Rejected), outcomes.GetValueOrDefault(Outcomes.Invalid), errors),
            count == 0 ? 0 : Math.Round((double)errors / count, 4), perMinute);
    }

    /// <summary>One changed minute's cells: outcome, code, requests and histogram so far (totals, not increments).</summary>
    public sealed record Cell(DateTime Minute, string Outcome, string Code, long Requests, string Histogram);

    /// <summary>The cells of every minute recorded into since the last call (still in the window); the minutes are no longer "changed".</summary>
    public (IReadOnlyList<Cell> Cells, IReadOnlyList<DateTime> Minutes) TakeChanged()
    {
        lock (_lock)
        {
            var minutes = _changed.Where(_buckets.ContainsKey).Order().ToList();
            _changed.Clear();
            var cells = minutes.SelectMany(m => _buckets[m].Cells.Select(c => new Cell(m, c.Key.Outcome, c.Key.Code, c.Value.Sum(), RequestHistogram.Format(c.Value))))
                .ToList();
            return (cells, minutes);
        }
    }

    /// <summary>Marks minutes changed again (their flush failed), so the next flush writes them.</summary>
    public void MarkChanged(IEnumerable<DateTime> minutes)
    {
        lock (_lock) _changed.UnionWith(minutes);
    }

    public static DateTime MinuteOf(DateTime utc) =>
        new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    /// <summary>Nearest rank, in milliseconds rounded to 0.01.</summary>
    private static double? Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? null : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)], 2);
}

/// <summary>Outcome labels of an adjudication request, in metrics, spans and the dashboard.</summary>
public static class Outcomes
{
    public const string Accepted = "accepted";
    public const string Replayed = "replayed";
    public const string Rejected = "rejected";
    public const string Invalid = "invalid";
    public const string Error = "error";
}

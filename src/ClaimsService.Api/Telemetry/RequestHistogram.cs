using System.Globalization;

namespace ClaimsService.Api.Telemetry;

/// <summary>
/// Fixed latency buckets shared by every instance, so histograms of several instances add up bucket by bucket and the
/// fleet's percentiles come from the sum (a percentile of percentiles would not). Stored as comma-separated counts.
/// </summary>
public static class RequestHistogram
{
    /// <summary>Upper bounds in milliseconds; one more bucket holds everything above the last.</summary>
    public static readonly double[] BoundsMs = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000];

    public static int Length => BoundsMs.Length + 1;

    public static int BucketOf(double ms)
    {
        var i = Array.BinarySearch(BoundsMs, ms);
        return i >= 0 ? i : ~i;
    }

    public static string Format(long[] counts) => string.Join(',', counts.Select(c => c.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Adds a stored histogram into <paramref name="into"/>; a malformed or foreign-length one is ignored.</summary>
    public static void AddTo(long[] into, string stored)
    {
        var parts = stored.Split(',');
        if (parts.Length != into.Length) return;
        for (var i = 0; i < parts.Length; i++)
            if (long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n)) into[i] += n;
    }

    /// <summary>The p-quantile in milliseconds, interpolated linearly inside its bucket, rounded to 0.01; null when empty.</summary>
    public static double? Percentile(long[] counts, double p)
    {
        var total = counts.Sum();
        if (total == 0) return null;
        var rank = Math.Max(1, (long)Math.Ceiling(p * total));
        long before = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (before + counts[i] >= rank)
            {
                var lower = i == 0 ? 0 : BoundsMs[i - 1];
                if (i >= BoundsMs.Length) return lower;
                var upper = BoundsMs[i];
                return Math.Round(lower + (upper - lower) * (rank - before) / counts[i], 2);
            }
            before += counts[i];
        }
        return BoundsMs[^1];
    }
}

using ClaimsService.Api.Telemetry;
using ClaimsService.Browser.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ClaimsService.Browser.Tests;

/// <summary>How per-instance figures combine into the fleet's, and the settings that govern them.</summary>
[Collection(OpsCollection.Name)]
public sealed class FleetFiguresTests
{
    [Fact]
    public void FleetPercentilesFromMergedHistogramsEqualThoseOfOneInstanceThatSawEveryRequest()
    {
        var fast = Enumerable.Range(0, 900).Select(i => 2 + i % 7 * 0.5).ToArray();      // one instance: 2–5 ms
        var slow = Enumerable.Range(0, 100).Select(i => 180 + i % 10 * 20.0).ToArray();  // the other: 180–360 ms
        long[] Histogram(IEnumerable<double> ms)
        {
            var h = new long[RequestHistogram.Length];
            foreach (var m in ms) h[RequestHistogram.BucketOf(m)]++;
            return h;
        }
        var merged = new long[RequestHistogram.Length];
        RequestHistogram.AddTo(merged, RequestHistogram.Format(Histogram(fast)));
        RequestHistogram.AddTo(merged, RequestHistogram.Format(Histogram(slow)));
        var one = Histogram(fast.Concat(slow));

        Assert.Equal(one, merged);
        // 90 % are fast: p50 among them, p95 and p99 among the slow ones (within the bucket bounds of the true values).
        Assert.InRange(RequestHistogram.Percentile(merged, 0.50)!.Value, 3, 5);
        Assert.InRange(RequestHistogram.Percentile(merged, 0.95)!.Value, 150, 300);
        Assert.InRange(RequestHistogram.Percentile(merged, 0.99)!.Value, 300, 500);
        Assert.Null(RequestHistogram.Percentile(new long[RequestHistogram.Length], 0.5));
        // A stored histogram of another length (other bounds) is not added to the wrong buckets.
        RequestHistogram.AddTo(merged, "1,2,3");
        Assert.Equal(one, merged);
    }

    [Theory]
    [InlineData("Ops:FlushSeconds", "0")]
    [InlineData("Ops:FlushSeconds", "61")]
    [InlineData("Ops:RetentionDays", "0")]
    [InlineData("Ops:InstanceName", "pod name with spaces")]
    public void AnOpsSettingOutOfRangeStopsTheServiceAtStart(string key, string value)
    {
        var path = Path.Combine(Path.GetTempPath(), $"claims-ops-options-{Guid.NewGuid():N}.db");
        try
        {
            using var factory = new FleetInstance("Sqlite", $"Data Source={path};Pooling=False", "x").WithWebHostBuilder(b => b.UseSetting(key, value));
            var e = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
            var validation = Assert.IsType<OptionsValidationException>(e is AggregateException { InnerException: { } inner } ? inner : e);
            Assert.Contains(key.Split(':')[1], string.Join(" ", validation.Failures), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data;

namespace ClaimsService.Api.Tests;

/// <summary>Two service instances on one database, each with its own in-memory parameter cache at the production refresh period.</summary>
public sealed class ParameterCacheAcrossInstancesTests : IDisposable
{
    private static readonly string Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"claims-two-instances-{Guid.NewGuid():N}.db");
    private readonly Instance _first = new(Path);
    private readonly Instance _second = new(Path);

    [Fact]
    public async Task ASetPublishedThroughOneInstanceIsInForceOnTheOtherWithinFiveSeconds()
    {
        using var admin = _first.ClientFor("admin");
        using var hospital = _second.ClientFor("hospital", "H4501000001");
        var body = Requests.Settlement(regionCode: "450122");
        // Before: 450122 falls back to Guangxi's set (deductible 11 664.11).
        var before = await (await hospital.PostAsJsonAsync("/v1/settlements/preview", body)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(11664.11m, before.GetProperty("deductible").GetDecimal());

        var published = await admin.PostAsJsonAsync("/v1/parameter-sets", Requests.ParameterSet("450122", effectiveFrom: "2020-10-01", deductible: 9000m));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);

        var clock = Stopwatch.StartNew();
        decimal deductible;
        do
        {
            await Task.Delay(100);
            var preview = await (await hospital.PostAsJsonAsync("/v1/settlements/preview", body)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            deductible = preview.GetProperty("deductible").GetDecimal();
        }
        while (deductible != 9000m && clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(9000m, deductible);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"in force on the other instance after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    private sealed class Instance(string path) : SqliteAppFactory(path)
    {
        protected override int ParameterRefreshMilliseconds => new DatabaseOptions().ParameterRefreshMilliseconds;
    }
}

using System.Collections.Frozen;
using ClaimsService.Api.Telemetry;
using ClaimsService.Data;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Parameters;

/// <summary>
/// Every parameter set, in memory, so that no settlement queries them. Sets are append-only, so a count of
/// rows is enough to see that another instance published one; a refresh then reloads them all.
/// </summary>
public sealed partial class ParameterSetCache(ParameterSetStore store, ILogger<ParameterSetCache> logger)
{
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(long Stamp, FrozenDictionary<string, ParameterSet[]> ByRegion, FrozenDictionary<string, ParameterSet> ById);

    public bool Loaded => _snapshot is not null;

    public IReadOnlyCollection<ParameterSet> All => Current.ById.Values;

    public ParameterSet? ById(string id) => Current.ById.GetValueOrDefault(id);

    /// <summary>The set in force for the region on the date, falling back to its province (api.md).</summary>
    public ParameterSet? InForce(string regionCode, DateOnly onDate) =>
        Resolution.SetInForce(r => Current.ByRegion.GetValueOrDefault(r, []), regionCode, onDate);

    /// <summary>Whether the region, or its province, has any set at all.</summary>
    public bool Knows(string regionCode) =>
        Current.ByRegion.ContainsKey(regionCode) || Current.ByRegion.ContainsKey(Resolution.ProvinceOf(regionCode));

    /// <summary>Reloads when the stamp moved (or always, when forced). Returns whether anything changed.</summary>
    public async Task<bool> RefreshAsync(CancellationToken ct, bool force = false)
    {
        var stamp = await store.StampAsync(ct);
        if (!force && _snapshot?.Stamp == stamp) return false;
        // A stored set that cannot price a stay (published before sets were checked) is left out, loudly, rather than
        // failing every settlement of its region and every listing.
        var sets = new List<ParameterSet>();
        foreach (var set in await store.AllAsync(ct))
        {
            if (ParameterSetCheck.Failure(set) is { } failure) LogUnusable(logger, set.Id, set.RegionCode, set.Version, failure);
            else sets.Add(set);
        }
        _snapshot = new Snapshot(stamp,
            sets.GroupBy(s => s.RegionCode).ToFrozenDictionary(g => g.Key, g => g.ToArray()),
            sets.ToFrozenDictionary(s => s.Id));
        return true;
    }

    private Snapshot Current => _snapshot ?? throw new InvalidOperationException("Parameter sets are not loaded yet.");

    [LoggerMessage(Level = LogLevel.Error, Message = "Parameter set {Id} of {RegionCode} v{Version} is left out: {Reason}")]
    private static partial void LogUnusable(ILogger logger, string id, string regionCode, int version, string reason);
}

/// <summary>Keeps the cache fresh: a set published through any instance is in force everywhere within one period.</summary>
internal sealed partial class ParameterSetRefresher(ParameterSetCache cache, IOptions<DatabaseOptions> options, ClaimsMetrics metrics,
    ILogger<ParameterSetRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.ParameterRefreshMilliseconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var reloaded = await cache.RefreshAsync(stoppingToken);
                metrics.CacheRefreshed(reloaded ? "reloaded" : "unchanged");
                if (reloaded) LogRefreshed(logger, cache.All.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                metrics.CacheRefreshed("failed");
                LogRefreshFailed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Parameter sets reloaded: {Count} sets")]
    private static partial void LogRefreshed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parameter set refresh failed, keeping the sets in memory: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}

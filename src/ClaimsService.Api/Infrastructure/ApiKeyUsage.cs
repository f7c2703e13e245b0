using System.Collections.Concurrent;
using ClaimsService.Data.Stores;

namespace ClaimsService.Api.Infrastructure;

/// <summary>
/// When each key was last accepted, kept in memory and written by <see cref="ApiKeyUsageWriter"/> about once a minute
/// per key and instance: "last used" must not cost a database write per request.
/// </summary>
public sealed class ApiKeyUsage
{
    private ConcurrentDictionary<string, DateTime> _seen = new();

    public void Record(string clientId, DateTime utcNow) =>
        _seen.AddOrUpdate(clientId, static (_, now) => now, static (_, before, now) => now > before ? now : before, utcNow);

    /// <summary>Takes what was recorded since the last call.</summary>
    public IReadOnlyCollection<(string Id, DateTime LastUsedAt)> Drain() =>
        Interlocked.Exchange(ref _seen, new ConcurrentDictionary<string, DateTime>()).Select(kv => (kv.Key, kv.Value)).ToList();
}

/// <summary>Writes the keys' last use once a minute, and once more when the instance stops.</summary>
internal sealed partial class ApiKeyUsageWriter(ApiKeyUsage usage, ApiClientStore clients, ILogger<ApiKeyUsageWriter> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken)) await WriteAsync(stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await WriteAsync(cancellationToken);
    }

    private async Task WriteAsync(CancellationToken ct)
    {
        var uses = usage.Drain();
        if (uses.Count == 0) return;
        try
        {
            await clients.TouchAsync(uses, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A lost "last used" is not worth more than a warning: the next use records it again.
            LogWriteFailed(logger, uses.Count, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the last use of {Count} API keys: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, int count, string reason);
}

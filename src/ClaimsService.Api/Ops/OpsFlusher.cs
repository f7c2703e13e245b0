using ClaimsService.Api.Telemetry;
using ClaimsService.Data.Ops;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Ops;

/// <summary>
/// Writes this instance's changed per-minute request figures (<see cref="AdjudicationWindow"/>) to
/// <c>instance_request_minutes</c> every <see cref="OpsOptions.FlushSeconds"/>, off the request path, and once more on
/// shutdown; prunes minutes past the retention about hourly. The wait is on the wall clock; minutes are of the injected one.
/// </summary>
public sealed partial class OpsFlusher(AdjudicationWindow window, InstanceMinutesStore store, IOptions<OpsOptions> options, ClaimsMetrics metrics,
    TimeProvider time, ILogger<OpsFlusher> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTime _lastPrune = DateTime.MinValue;

    public string InstanceId => options.Value.InstanceId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.FlushSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await TryFlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryFlushAsync(cancellationToken);
    }

    /// <summary>Flushes now; false (logged and counted) when the database refused, the minutes then wait for the next flush.</summary>
    public async Task<bool> TryFlushAsync(CancellationToken ct)
    {
        try
        {
            await FlushAsync(ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            metrics.OpsFlushed("failed");
            LogFlushFailed(logger, e.GetType().Name, e.Message);
            return false;
        }
    }

    /// <summary>Writes every minute changed since the last flush (the summary calls it too, so this instance's figures are current).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var (cells, minutes) = window.TakeChanged();
            var now = time.GetUtcNow().UtcDateTime;
            try
            {
                var rows = cells.Select(c => new InstanceMinuteRow
                {
                    InstanceId = InstanceId, MinuteAt = c.Minute, Outcome = c.Outcome, Code = c.Code, Requests = c.Requests, LatencyBuckets = c.Histogram,
                }).ToList();
                if (rows.Count > 0)
                {
                    await store.UpsertAsync(rows, now, ct);
                    metrics.OpsFlushed("written");
                }
            }
            catch
            {
                window.MarkChanged(minutes);
                throw;
            }
            if (now - _lastPrune > TimeSpan.FromHours(1))
            {
                var pruned = await store.PruneAsync(now.AddDays(-options.Value.RetentionDays), ct);
                _lastPrune = now;
                if (pruned > 0) LogPruned(logger, pruned, options.Value.RetentionDays);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing this instance's request figures failed ({Error}: {Reason}); they are written at the next flush")]
    private static partial void LogFlushFailed(ILogger logger, string error, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Rows} instance request minutes older than {Days} days")]
    private static partial void LogPruned(ILogger logger, int rows, int days);
}

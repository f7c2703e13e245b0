using System.Text.Json;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Reconciliation;
using ClaimsService.Data.Stores;

namespace ClaimsService.Api.Reconciliation;

/// <summary>
/// Records every reconciliation request in <c>reconciliation_runs</c> (who, what, which period, the result and the
/// figures behind it), for the audit and the ops dashboard. Never records a resident id.
/// </summary>
public sealed partial class ReconciliationRecorder(ReconciliationRunStore runs, TimeProvider time, ILogger<ReconciliationRecorder> logger)
{
    public const string Summary = "summary";
    public const string SummaryCheck = "summary_check";
    public const string Statement = "statement";
    public const string DetailCheck = "detail_check";

    public const string Served = "served";
    public const string Match = "match";
    public const string Mismatch = "mismatch";
    /// <summary>A streamed answer that did not reach its end (client gone, database lost mid-stream).</summary>
    public const string Incomplete = "incomplete";

    /// <summary>Records a run; a failure reaches the caller (the request answers 503 rather than go unrecorded).</summary>
    public Task RecordAsync(Caller caller, string kind, string regionCode, DateOnly from, DateOnly to, string result, object details, CancellationToken ct) =>
        runs.RecordAsync(new ReconciliationRunRow
        {
            Kind = kind,
            Caller = caller.AuditName.Length <= 100 ? caller.AuditName : caller.AuditName[..100],
            RegionCode = regionCode,
            PeriodFrom = from,
            PeriodTo = to,
            Result = result,
            Details = JsonSerializer.Serialize(details, SettlementStore.Json),
            RecordedAt = time.UtcNowStored(),
        }, ct);

    /// <summary>
    /// Records the run of a streamed answer, after its last byte: the client has its answer by then, so a failure to
    /// record is logged, not thrown into a response that is already complete.
    /// </summary>
    public async Task RecordAfterStreamAsync(Caller caller, string kind, string regionCode, DateOnly from, DateOnly to, string result, object details)
    {
        try
        {
            await RecordAsync(caller, kind, regionCode, from, to, result, details, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogNotRecorded(logger, kind, regionCode, e.Message);
        }
        LogStreamed(logger, kind, regionCode, from, to, result);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation {Kind} of {RegionCode} was answered but could not be recorded: {Reason}")]
    private static partial void LogNotRecorded(ILogger logger, string kind, string regionCode, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation {Kind} of {RegionCode} {From}..{To}: {Result}")]
    private static partial void LogStreamed(ILogger logger, string kind, string regionCode, DateOnly from, DateOnly to, string result);
}

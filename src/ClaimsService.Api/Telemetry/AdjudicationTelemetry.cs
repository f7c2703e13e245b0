using System.Diagnostics;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Parameters;
using ClaimsService.Api.Settlements;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Telemetry;

/// <summary>Endpoint metadata: this endpoint adjudicates, and of which kind (settlement, preview, reversal); telemetry tags by it.</summary>
public sealed record AdjudicationKind(string Kind);

/// <summary>
/// Around every adjudication endpoint (settle, preview, reversal): one span, the adjudication counter, the duration
/// histogram, payout amounts, the in-process latency window and one log line, all from the handler's typed result.
/// Tags and log values name the kind, region, hospital and settlement id; never the insured person.
/// </summary>
internal sealed partial class AdjudicationTelemetry(ClaimsMetrics metrics, AdjudicationWindow window, ParameterSetCache parameters,
    ILogger<AdjudicationTelemetry> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (KindOf(http.GetEndpoint()) is not { } kind) return await next(context);
        http.Items[Recorded] = true;

        var request = context.Arguments.OfType<SettlementRequest>().FirstOrDefault();
        var settlementId = Sanitise(request?.SettlementId ?? context.Arguments.OfType<string>().FirstOrDefault());
        var hospital = Caller.From(http.User).HospitalCode ?? "";
        using var activity = ClaimsTelemetry.Source.StartActivity($"adjudicate {kind}");
        activity?.SetTag("claims.kind", kind);
        activity?.SetTag("claims.hospital_code", hospital);
        activity?.SetTag("claims.settlement_id", settlementId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await next(context);
            var elapsed = Stopwatch.GetElapsedTime(started);
            Record(kind, result, request, settlementId, hospital, http, elapsed, activity);
            return result;
        }
        catch (Exception e)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var region = RegionLabel(request?.RegionCode);
            metrics.Adjudicated(kind, region, Outcomes.Error, elapsed.TotalSeconds);
            window.Record(Outcomes.Error, elapsed.TotalMilliseconds, e.GetType() == typeof(Data.DatabaseUnavailableException) ? "database_unavailable" : null);
            activity?.SetTag("claims.outcome", Outcomes.Error);
            activity?.SetTag("claims.region_code", region);
            // The type only: messages of lower layers are not ours to vouch for.
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            LogFailed(logger, kind, settlementId, hospital, e.GetType().Name, elapsed.TotalMilliseconds);
            throw;
        }
    }

    private void Record(string kind, object? result, SettlementRequest? request, string settlementId, string hospital, HttpContext http,
        TimeSpan elapsed, Activity? activity)
    {
        var inner = result is INestedHttpResult nested ? nested.Result : result as IResult;
        var ms = Math.Round(elapsed.TotalMilliseconds, 2);
        switch (inner)
        {
            case IValueHttpResult<SettlementResponse> { Value: { } response }:
            {
                var replayed = http.Response.Headers[SettlementsApi.ReplayHeader] == "true";
                var outcome = replayed ? Outcomes.Replayed : Outcomes.Accepted;
                var region = RegionLabel(response.RegionCode);
                Finish(kind, region, outcome, elapsed, activity);
                activity?.SetTag("claims.payout", (double)response.Payout);
                activity?.SetTag("claims.category", response.Category);
                activity?.SetTag("claims.parameter_set.id", response.ParameterSet.Id);
                activity?.SetTag("claims.parameter_set.version", response.ParameterSet.Version);
                if (!replayed && kind != Kinds.Preview)
                {
                    metrics.PaidOut(kind, region, response.Payout);
                    foreach (var adjustment in response.Adjustments ?? []) metrics.Adjusted(region, "reversal", adjustment.Payout);
                }
                LogAdjudicated(logger, kind, outcome, settlementId, hospital, response.RegionCode, response.Payout, response.Category,
                    response.ParameterSet.Id, response.ParameterSet.Version, response.Adjustments?.Count ?? 0, ms);
                break;
            }
            case ValidationProblem invalid:
            {
                Finish(kind, RegionLabel(null), Outcomes.Invalid, elapsed, activity, Problems.ValidationFailed);
                LogInvalid(logger, kind, settlementId, hospital, string.Join(", ", invalid.ProblemDetails.Errors.Keys), ms);
                break;
            }
            case ProblemHttpResult problem:
            {
                var code = problem.ProblemDetails.Extensions.TryGetValue("code", out var c) ? c?.ToString() ?? "" : "";
                var region = RegionLabel(request?.RegionCode);
                Finish(kind, region, Outcomes.Rejected, elapsed, activity, code);
                activity?.SetTag("claims.code", code);
                LogRejected(logger, kind, settlementId, hospital, request?.RegionCode ?? "", problem.StatusCode, code, ms);
                break;
            }
            default:
                Finish(kind, RegionLabel(request?.RegionCode), Outcomes.Error, elapsed, activity);
                break;
        }
    }

    private void Finish(string kind, string region, string outcome, TimeSpan elapsed, Activity? activity, string? code = null)
    {
        metrics.Adjudicated(kind, region, outcome, elapsed.TotalSeconds);
        window.Record(outcome, elapsed.TotalMilliseconds, code);
        activity?.SetTag("claims.region_code", region);
        activity?.SetTag("claims.outcome", outcome);
        if (outcome == Outcomes.Error) activity?.SetStatus(ActivityStatusCode.Error);
    }

    /// <summary>Set on a request whose outcome the filter recorded; <see cref="AdjudicationOutcomes"/> records the others.</summary>
    internal static readonly object Recorded = new();

    internal static string? KindOf(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<AdjudicationKind>()?.Kind;

    /// <summary>The caller's settlement id as a log value: at most 64 characters, any resident-ID-shaped run masked.</summary>
    private static string Sanitise(string? settlementId)
    {
        var id = settlementId is null ? "" : settlementId.Length > 64 ? settlementId[..64] : settlementId;
        return Redaction.MaskResidentIds(id) ?? id;
    }

    /// <summary>A configured region (or one of a configured province) labels itself; anything else is "other", so labels stay few.</summary>
    private string RegionLabel(string? region)
    {
        if (!Domain.RegionCode.IsValid(region)) return "other";
        try
        {
            return parameters.Knows(region) ? region : "other";
        }
        catch (InvalidOperationException)
        {
            return "other";
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Kind} {Outcome}: settlement {SettlementId} of {HospitalCode} in {RegionCode}, payout {Payout} CNY, category {Category}, parameter set {ParameterSetId} v{ParameterSetVersion}, {Adjustments} adjustments, {ElapsedMs} ms")]
    private static partial void LogAdjudicated(ILogger logger, string kind, string outcome, string settlementId, string hospitalCode, string regionCode,
        decimal payout, string category, string parameterSetId, int parameterSetVersion, int adjustments, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Kind} rejected: settlement {SettlementId} of {HospitalCode} in {RegionCode}, {Status} {Code}, {ElapsedMs} ms")]
    private static partial void LogRejected(ILogger logger, string kind, string settlementId, string hospitalCode, string regionCode, int status,
        string code, double elapsedMs);

    // Field names only: the values may be a resident ID.
    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} invalid: settlement {SettlementId} of {HospitalCode}, fields {Fields}, {ElapsedMs} ms")]
    private static partial void LogInvalid(ILogger logger, string kind, string settlementId, string hospitalCode, string fields, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} failed: settlement {SettlementId} of {HospitalCode}, {Error} after {ElapsedMs} ms")]
    private static partial void LogFailed(ILogger logger, string kind, string settlementId, string hospitalCode, string error, double elapsedMs);
}

public static class AdjudicationOutcomes
{
    /// <summary>
    /// Adjudication requests answered before their handler ran (refused by authentication, or failed there because the
    /// database is down) are counted too, by status: otherwise an outage's 503s at the key check would be missing from the
    /// error rate. Runs after routing (the endpoint is known) and before authentication.
    /// </summary>
    public static IApplicationBuilder UseAdjudicationOutcomes(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (AdjudicationTelemetry.KindOf(http.GetEndpoint()) is not { } kind)
        {
            await next(http);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        string? code = null;
        var failed = false;
        try
        {
            await next(http);
        }
        catch (Exception e)
        {
            failed = true;
            code = e is Data.DatabaseUnavailableException ? "database_unavailable" : null;
            throw;
        }
        finally
        {
            var status = http.Response.StatusCode;
            if (!http.Items.ContainsKey(AdjudicationTelemetry.Recorded) && (failed || status >= 400))
            {
                var outcome = failed || status >= 500 ? Outcomes.Error : Outcomes.Rejected;
                code ??= status switch { 401 => "unauthorized", 403 => "forbidden", 503 => "database_unavailable", _ => $"http_{status}" };
                var elapsed = Stopwatch.GetElapsedTime(started);
                var services = http.RequestServices;
                services.GetRequiredService<ClaimsMetrics>().Adjudicated(kind, "other", outcome, elapsed.TotalSeconds);
                services.GetRequiredService<AdjudicationWindow>().Record(outcome, elapsed.TotalMilliseconds, code);
            }
        }
    });
}

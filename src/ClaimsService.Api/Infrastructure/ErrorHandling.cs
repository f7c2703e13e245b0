using System.Text.Json;
using ClaimsService.Data;
using Microsoft.AspNetCore.Diagnostics;

namespace ClaimsService.Api.Infrastructure;

/// <summary>
/// Turns what escapes a handler into problem+json: unreadable bodies (malformed JSON, wrong types, too large)
/// into 400/413/415 with stable codes, an unreachable database into 503 with Retry-After.
/// </summary>
internal sealed partial class ErrorHandler(ILogger<ErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var result = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problems.PayloadTooLarge(),
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
                Problems.UnsupportedMediaType(),
            BadHttpRequestException bad => (IResult)BodyProblem(bad),
            DatabaseUnavailableException down => Unavailable(http, down),
            Settlements.OverloadedException => Overloaded(http),
            _ => null,
        };
        if (result is null) return false;
        if (exception is DatabaseUnavailableException) LogDatabaseUnavailable(logger, exception.Message);
        await result.ExecuteAsync(http);
        return true;
    }

    private static IResult BodyProblem(BadHttpRequestException bad)
    {
        // A value of the wrong type, an inexact number or a key given twice names its field in JsonException.Path
        // ("$.inPolicyCost"); broken syntax does not.
        if (bad.InnerException is JsonException { Path: { Length: > 2 } path } json)
        {
            var field = path.TrimStart('$', '.');
            if (json is InexactNumberException) return Problems.Validation(field, json.Message);
            if (json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
                return Problems.Validation(field, "Not readable as the expected type.");
            if (json.Message.Contains("uplicate", StringComparison.Ordinal))
                return Problems.Validation(field, "Given more than once: each key at most once.");
        }
        // Query and route values that do not bind: 'Failed to bind parameter "IsoDate? from" from "01/12/2026".' (the value is not echoed).
        const string bindFailure = "Failed to bind parameter \"";
        if (bad.InnerException is null && bad.Message.StartsWith(bindFailure, StringComparison.Ordinal)
            && bad.Message.IndexOf('"', bindFailure.Length) is var end and > 0)
        {
            var declaration = bad.Message[bindFailure.Length..end];
            var name = declaration[(declaration.LastIndexOf(' ') + 1)..];
            return Problems.Validation(name, declaration.StartsWith(nameof(IsoDate), StringComparison.Ordinal)
                ? $"A date as {IsoDate.Format}." : "Not readable as the expected type.");
        }
        return Problems.Validation("body", bad.InnerException is JsonException ? "Malformed JSON." : bad.Message);
    }

    private static IResult Unavailable(HttpContext http, DatabaseUnavailableException down)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(down.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Of(503, ProblemCodes.DatabaseUnavailable);
    }

    // A commit queue is full (Database:Batching:QueueCapacity): shed the request early, the client retries the same body.
    private static IResult Overloaded(HttpContext http)
    {
        http.Response.Headers.RetryAfter = ((int)Settlements.OverloadedException.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Of(503, ProblemCodes.Overloaded);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable: {Reason}")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string reason);
}

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
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                Problems.Of(413, "payload_too_large", "The request body is too large.", "Request bodies are limited to 1 MiB."),
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
                Problems.UnsupportedMediaType(),
            BadHttpRequestException bad => (IResult)BodyProblem(bad),
            DatabaseUnavailableException down => Unavailable(http, down),
            _ => null,
        };
        if (result is null) return false;
        if (exception is DatabaseUnavailableException) LogDatabaseUnavailable(logger, exception.Message);
        await result.ExecuteAsync(http);
        return true;
    }

    private static IResult BodyProblem(BadHttpRequestException bad)
    {
        // A value of the wrong type names its field in JsonException.Path ("$.inPolicyCost"); broken syntax does not.
        if (bad.InnerException is JsonException { Path: { Length: > 2 } path } json
            && json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            return Problems.Validation(path.TrimStart('$', '.'), "Not readable as the expected type.");
        return Problems.Validation("body", bad.InnerException is JsonException ? "Malformed JSON." : bad.Message);
    }

    private static IResult Unavailable(HttpContext http, DatabaseUnavailableException down)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(down.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Of(503, "database_unavailable", "The database is unavailable.", "Try again shortly with the same request: a settlement or reversal already written is answered, never paid twice.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable: {Reason}")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string reason);
}

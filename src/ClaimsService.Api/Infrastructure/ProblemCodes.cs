namespace ClaimsService.Api.Infrastructure;

/// <summary>
/// The catalogue of problem codes: call sites name a code from here, never a literal, and ProblemTexts.resx holds its title
/// and detail per language. ProblemTextsTests walks these constants (a code without a Chinese title fails the build's tests).
/// </summary>
public static class ProblemCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string PayloadTooLarge = "payload_too_large";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    /// <summary>The family <c>http_NNN</c> for any other empty status the framework answers; its texts carry the status.</summary>
    public const string HttpStatus = "http_status";
    /// <summary>What escapes every handler (the framework's 500), given a code as it is written.</summary>
    public const string InternalError = "internal_error";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string DatabaseUnavailable = "database_unavailable";
    /// <summary>A commit queue is full (Database:Batching:QueueCapacity); 503 with Retry-After.</summary>
    public const string Overloaded = "overloaded";
    public const string PeriodTooLarge = "period_too_large";
    public const string RegionOutOfScope = "region_out_of_scope";
    public const string ParameterSetNotFound = "parameter_set_not_found";
    public const string SettlementNotFound = "settlement_not_found";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string SettlementInFlight = "settlement_in_flight";
    public const string NoParametersInForce = "no_parameters_in_force";
    public const string UnknownRegion = "unknown_region";
    public const string SettlementVoided = "settlement_voided";
    public const string ClientNotFound = "client_not_found";
    public const string CategoryExists = "category_exists";
    public const string RegistryEntryRetracted = "registry_entry_retracted";
    public const string RegistryEntryNotFound = "registry_entry_not_found";
    public const string ReadjudicationNotFound = "readjudication_not_found";

    /// <summary>Every code above, for the tests and the texts.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(ProblemCodes).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToList();

    /// <summary>The code of an empty status answered by the framework (<c>http_409</c>, …).</summary>
    public static string ForStatus(int status) => $"http_{status}";
}

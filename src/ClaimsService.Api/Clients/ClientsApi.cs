using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Clients;

/// <summary>
/// API clients (api.md "API clients"): the keys that exist, and their revocation. Keys are created with the CLI only
/// (<c>keys create</c>), so that a key is shown once, to whoever holds the database's configuration.
/// </summary>
public static partial class ClientsApi
{
    public const int MaxReasonLength = 400;

    public static IEndpointRouteBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/clients").WithTags("Clients").RequireAuthorization(p => p.RequireRole(Roles.Admin)).WithStandardProblems();
        group.MapGet("/", List).WithName("ListClients")
            .WithSummary("Every API client: role, scope, created, expires, last used (to within a minute), revoked. Never a key or its hash.");
        group.MapPost("/{id}/revocation", Revoke).WithName("RevokeClient")
            .WithSummary("Revoke a client's key: refused (401) by every instance within 5 s. Revoking twice keeps the first revocation.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<List<ClientResponse>>> List(ApiClientStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(ct)).Select(ClientResponse.Of).ToList());

    public static async Task<Results<Ok<ClientResponse>, ValidationProblem, ProblemHttpResult>> Revoke(
        string id, RevocationRequest request, ApiClientStore store, TimeProvider time, HttpContext http, ILoggerFactory loggers, CancellationToken ct)
    {
        var e = new FieldErrors();
        var reason = e.Required("reason", request.Reason, MaxReasonLength);
        if (!Identifiers.IsPrintableText(reason)) e.Add("reason", "No control characters.");
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var client = await store.RevokeAsync(id, reason.Trim(), time.UtcNowStored(), ct);
        if (client is null)
            return Problems.Of(404, ProblemCodes.ClientNotFound, id);
        LogRevoked(loggers.CreateLogger(typeof(ClientsApi)), client.Id, client.Name, Caller.From(http.User).AuditName);
        return TypedResults.Ok(ClientResponse.Of(client));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API client {ClientId} ({Name}) revoked by {Caller}")]
    private static partial void LogRevoked(ILogger logger, string clientId, string name, string caller);
}

/// <summary>The body of <c>POST /v1/clients/{id}/revocation</c>.</summary>
public sealed record RevocationRequest
{
    /// <summary>Why the key is revoked (e.g. "leaked in a support ticket"); at most 400 characters.</summary>
    public string? Reason { get; init; }
}

/// <summary>An API client as admins see it: never its key, nor the key's hash.</summary>
public sealed record ClientResponse(
    string Id, string Name, string Role, string? HospitalCode, IReadOnlyList<string> Regions, string KeyPrefix,
    DateTime CreatedAt, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt, string? RevocationReason)
{
    public static ClientResponse Of(ApiClientRow r) => new(
        r.Id, r.Name, r.Role, r.HospitalCode, (r.Regions ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries), r.KeyPrefix,
        Utc(r.CreatedAt), Utc(r.ExpiresAt), Utc(r.LastUsedAt), Utc(r.RevokedAt), r.RevocationReason);

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private static DateTime? Utc(DateTime? value) => value is { } v ? Utc(v) : null;
}

using System.Security.Claims;
using System.Text.Encodings.Web;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Infrastructure;

/// <summary>The roles of api.md.</summary>
public static class Roles
{
    public const string Hospital = "hospital";
    public const string Insurer = "insurer";
    public const string Auditor = "auditor";
    public const string Ops = "ops";
    public const string Admin = "admin";
    public static readonly string[] All = [Hospital, Insurer, Auditor, Ops, Admin];

    /// <summary>Roles bound to regions (a province code covers its prefectures).</summary>
    public static bool HasRegions(string role) => role is Insurer or Auditor;
}

/// <summary>What the handlers know of the caller.</summary>
public sealed record Caller(string ClientId, string Name, string Role, string? HospitalCode, IReadOnlyList<string> Regions)
{
    public const string HospitalClaim = "claims:hospital";
    public const string RegionClaim = "claims:region";

    public string AuditName => $"{Role}:{Name}";

    /// <summary>An insurer's or auditor's regions cover a region when one equals it or is its province (a province code covers its prefectures).</summary>
    public bool Covers(string regionCode) =>
        Role is Roles.Ops or Roles.Admin
        || (Domain.RegionCode.TryParse(regionCode, out var region)
            && Regions.Any(r => Domain.RegionCode.TryParse(r, out var scope) && scope.Covers(region)));

    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
        user.FindFirstValue(ClaimTypes.Name) ?? "",
        user.FindFirstValue(ClaimTypes.Role) ?? "",
        user.FindFirstValue(HospitalClaim),
        user.FindAll(RegionClaim).Select(c => c.Value).ToList());
}

/// <summary>
/// <c>Authorization: ApiKey &lt;key&gt;</c>. Keys are looked up by their hash and cached, with the caller's principal, for
/// <see cref="CacheFor"/>: a key revoked through any instance is refused by every instance within that time (api.md: 5 s).
/// Expiry is checked on every request against the injected clock, so an expired key is refused at once.
/// </summary>
internal sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiClientStore clients, IMemoryCache cache, TimeProvider time, ApiKeyUsage usage) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    /// <summary>Well inside the 5 s within which a revocation must reach every instance; one lookup per key per period is cheap.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private sealed record CachedKey(ApiClientRow Client, ClaimsPrincipal Principal);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Not an ApiKey authorization.");
        var key = header[(SchemeName.Length + 1)..].Trim();
        var hash = ApiClientStore.Hash(key);
        if (!cache.TryGetValue(hash, out CachedKey? cached))
        {
            var client = await clients.FindByKeyAsync(key, Context.RequestAborted);
            if (client is null) return AuthenticateResult.Fail("Unknown or revoked key.");
            // Only known keys are cached: unknown ones must not fill memory.
            cached = new CachedKey(client, PrincipalOf(client));
            cache.Set(hash, cached, CacheFor);
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (cached!.Client.IsExpiredAt(now)) return AuthenticateResult.Fail("Expired key.");
        usage.Record(cached.Client.Id, Instants.Stored(now));
        // The principal is shared by the key's requests (nothing here transforms it); the ticket, whose properties are mutable, is not.
        return AuthenticateResult.Success(new AuthenticationTicket(cached.Principal, SchemeName));
    }

    private static ClaimsPrincipal PrincipalOf(ApiClientRow client)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, client.Id), new(ClaimTypes.Name, client.Name), new(ClaimTypes.Role, client.Role),
        };
        if (client.HospitalCode is { } hospital) claims.Add(new Claim(Caller.HospitalClaim, hospital));
        foreach (var region in (client.Regions ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)) claims.Add(new Claim(Caller.RegionClaim, region));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = SchemeName;
        return Problems.Of(401, ProblemCodes.Unauthorized).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Of(403, ProblemCodes.Forbidden).ExecuteAsync(Context);
}

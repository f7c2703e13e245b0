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
    public const string Ops = "ops";
    public const string Admin = "admin";
    public static readonly string[] All = [Hospital, Insurer, Ops, Admin];
}

/// <summary>What the handlers know of the caller.</summary>
public sealed record Caller(string ClientId, string Name, string Role, string? HospitalCode, IReadOnlyList<string> Regions)
{
    public const string HospitalClaim = "claims:hospital";
    public const string RegionClaim = "claims:region";

    public string AuditName => $"{Role}:{Name}";

    /// <summary>An insurer's regions cover a region when one equals it or is its province (a province code covers its prefectures).</summary>
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

/// <summary><c>Authorization: ApiKey &lt;key&gt;</c>. Keys are looked up by their hash, briefly cached.</summary>
internal sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiClientStore clients, IMemoryCache cache) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Not an ApiKey authorization.");
        var key = header[(SchemeName.Length + 1)..].Trim();
        var hash = ApiClientStore.Hash(key);
        if (!cache.TryGetValue(hash, out ApiClientRow? client))
        {
            client = await clients.FindByKeyAsync(key, Context.RequestAborted);
            // Only known keys are cached: unknown ones must not fill memory.
            if (client is not null) cache.Set(hash, client, CacheFor);
        }
        if (client is null) return AuthenticateResult.Fail("Unknown or revoked key.");

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, client.Id), new(ClaimTypes.Name, client.Name), new(ClaimTypes.Role, client.Role),
        };
        if (client.HospitalCode is { } hospital) claims.Add(new Claim(Caller.HospitalClaim, hospital));
        foreach (var region in (client.Regions ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)) claims.Add(new Claim(Caller.RegionClaim, region));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = SchemeName;
        return Problems.Of(401, ProblemCodes.Unauthorized).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Of(403, ProblemCodes.Forbidden).ExecuteAsync(Context);
}

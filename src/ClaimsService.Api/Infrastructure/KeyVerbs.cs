using System.Globalization;
using ClaimsService.Data.Stores;

namespace ClaimsService.Api.Infrastructure;

/// <summary>The key lifecycle verbs of the command line: <c>keys list</c>, <c>keys revoke</c>, and <c>--expires</c> of <c>keys create</c>.</summary>
internal static class KeyVerbs
{
    /// <summary>A key given <c>--expires 2026-12-31</c> is refused from the end of that business day (24:00 China Standard Time).</summary>
    public static DateTime ExpiryOf(string date, DateTime utcNow)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            throw new ArgumentException("--expires takes a date, yyyy-MM-dd.");
        if (day < BusinessDay.Of(utcNow))
            throw new ArgumentException($"--expires must be today ({BusinessDay.Of(utcNow):yyyy-MM-dd}, UTC+8) or later.");
        return BusinessDay.StartUtc(day.AddDays(1));
    }

    public static async Task<int> ListAsync(IServiceProvider services, TextWriter output)
    {
        var clients = await services.GetRequiredService<ApiClientStore>().ListAsync(CancellationToken.None);
        output.WriteLine(string.Join('\t', "id", "name", "role", "scope", "created", "expires", "last used", "revoked"));
        foreach (var c in clients)
            output.WriteLine(string.Join('\t', c.Id, c.Name, c.Role, Scope(c), Instant(c.CreatedAt), Instant(c.ExpiresAt), Instant(c.LastUsedAt),
                c.RevokedAt is { } revoked ? $"{Instant(revoked)} {c.RevocationReason}".TrimEnd() : "-"));
        return 0;
    }

    public static async Task<int> RevokeAsync(IServiceProvider services, string id, string[] args, TextWriter output)
    {
        var reason = args switch
        {
            [] => "revoked with the command line",
            ["--reason", var text] when !string.IsNullOrWhiteSpace(text) => text.Trim(),
            _ => throw new ArgumentException("usage: keys revoke ID [--reason TEXT]"),
        };
        if (reason.Length > Clients.ClientsApi.MaxReasonLength) throw new ArgumentException($"--reason is at most {Clients.ClientsApi.MaxReasonLength} characters.");
        var time = services.GetRequiredService<TimeProvider>();
        var client = await services.GetRequiredService<ApiClientStore>().RevokeAsync(id, reason, time.UtcNowStored(), CancellationToken.None)
            ?? throw new ArgumentException($"No API client has the id {id} (keys list shows them).");
        output.WriteLine($"Revoked {client.Role} client '{client.Name}' ({client.Id}) at {Instant(client.RevokedAt)}; every instance refuses its key within 5 s.");
        return 0;
    }

    private static string Scope(ApiClientRow c) => c.HospitalCode ?? (c.Regions is { Length: > 0 } regions ? regions.Replace(',', '+') : "-");

    private static string Instant(DateTime? utc) =>
        utc is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "-";
}

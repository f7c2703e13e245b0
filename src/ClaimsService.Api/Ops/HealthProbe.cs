namespace ClaimsService.Api.Ops;

/// <summary>
/// <c>ClaimsService.Api healthcheck [live|ready]</c>: asks the running service's health endpoint on loopback and exits
/// 0 when it answers 2xx. For container HEALTHCHECKs in images without curl (chiseled); it starts no host.
/// The port is the first of ASPNETCORE_HTTP_PORTS (8080 in the .NET images); HEALTHCHECK_URL overrides the whole URL.
/// </summary>
public static class HealthProbe
{
    public static bool IsVerb(string[] args) => args is ["healthcheck", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        var path = args is [_, "ready"] ? "/health/ready" : "/health/live";
        var port = (Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS") ?? "")
            .Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "8080";
        var url = Environment.GetEnvironmentVariable("HEALTHCHECK_URL") is { Length: > 0 } u ? u : $"http://127.0.0.1:{port}{path}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(url);
            Console.WriteLine($"{(int)response.StatusCode} {url}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"unhealthy: {url}: {e.Message}");
            return 1;
        }
    }
}

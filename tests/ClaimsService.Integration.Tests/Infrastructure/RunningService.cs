using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace ClaimsService.Integration.Tests.Infrastructure;

/// <summary>
/// The service's executable as a process of its own on a PostgreSQL database, in production settings (logs at Warning), as
/// it runs in a deployment: for the tests that kill it (SIGKILL: no shutdown, no rollback but the database's own) or run two
/// instances side by side. <paramref name="settings"/> are further environment variables (<c>Database__Batching__Enabled</c>…).
/// </summary>
public sealed class RunningService : IDisposable
{
    private static readonly string Service = typeof(Program).Assembly.Location;
    private readonly Process _process;
    private readonly string _url;

    private RunningService(Process process, string url) => (_process, _url) = (process, url);

    private static ProcessStartInfo Info(string connectionString, IReadOnlyDictionary<string, string>? settings, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(Service)! };
        info.ArgumentList.Add(Service);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["Database__Provider"] = "PostgreSql";
        info.Environment["ConnectionStrings__Claims"] = connectionString;
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) info.Environment[name] = value;
        return info;
    }

    /// <summary>Runs a verb (<c>keys create …</c>) to its end; its stdout. A non-zero exit fails the test with its stderr.</summary>
    public static async Task<string> VerbAsync(string connectionString, params string[] args)
    {
        using var process = Process.Start(Info(connectionString, null, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    /// <summary>The key a <c>keys create</c> printed: the last line of its stdout.</summary>
    public static async Task<string> CreateKeyAsync(string connectionString, params string[] args) =>
        (await VerbAsync(connectionString, ["keys", "create", .. args])).TrimEnd().Split('\n')[^1].Trim();

    public static async Task<RunningService> StartAsync(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var process = Process.Start(Info(connectionString, settings, "--urls", url))!;
        _ = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var service = new RunningService(process, url);
        using var http = new HttpClient();
        for (var i = 0; i < 600; i++)
        {
            if (process.HasExited) throw new InvalidOperationException($"The service exited with {process.ExitCode}: {await stderr}");
            try
            {
                if ((await http.GetAsync($"{url}/health/live")).IsSuccessStatusCode) return service;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        service.Dispose();
        throw new TimeoutException("The service did not answer /health/live in 60 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(_url), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return client;
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown, no rollback but the database's own.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}

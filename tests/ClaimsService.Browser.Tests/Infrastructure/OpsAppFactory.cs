using System.Net.Http.Headers;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClaimsService.Browser.Tests.Infrastructure;

/// <summary>
/// The real service on a real Kestrel port (127.0.0.1, chosen by the OS) against a fresh SQLite file, with every log
/// entry it writes captured (message, state values, exception and scopes) for the redaction checks.
/// </summary>
public sealed class OpsAppFactory : KestrelAppFactory
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"claims-ops-test-{Guid.NewGuid():N}.db");

    protected override string Provider => "Sqlite";

    protected override string ConnectionString => $"Data Source={_path};Pooling=False";

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }
}

/// <summary>One service instance of a fleet on a real Kestrel port, against a database it shares with the others (PostgreSQL).</summary>
public sealed class FleetInstance(string provider, string connectionString, string name, int flushSeconds = 1) : KestrelAppFactory
{
    public string Name => name;

    protected override string Provider => provider;

    protected override string ConnectionString => connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Ops:InstanceName", name);
        builder.UseSetting("Ops:FlushSeconds", flushSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>The service on a real Kestrel port with its logs captured; the database is the subclass's.</summary>
public abstract class KestrelAppFactory : ClaimsAppFactory
{
    protected KestrelAppFactory() => UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));

    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // The service's own categories and Polly at Debug; everything else as configured (appsettings.json).
        builder.UseSetting("Logging:LogLevel:ClaimsService", "Debug");
        builder.UseSetting("Logging:LogLevel:Polly", "Debug");
        builder.ConfigureLogging(l => l.AddProvider(Logs));
    }

    /// <summary>The address Kestrel listens on, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address);
        }
    }

    /// <summary>A new API key of the role (and hospital), as a person would paste it.</summary>
    public string CreateKey(string role, string? hospitalCode = null, params string[] regions)
    {
        StartServer();
        var (_, key) = Services.GetRequiredService<ApiClientStore>()
            .CreateAsync($"test-{role}-{Guid.NewGuid():N}", role, hospitalCode, regions, Time.GetUtcNow().UtcDateTime, CancellationToken.None)
            .GetAwaiter().GetResult();
        return key;
    }

    /// <summary>An HTTP client over the loopback network to the Kestrel port, authenticated with the key.</summary>
    public HttpClient NetworkClient(string key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return client;
    }
}

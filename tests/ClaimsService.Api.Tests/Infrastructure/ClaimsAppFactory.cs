using System.Net.Http.Headers;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClaimsService.Api.Tests.Infrastructure;

/// <summary>
/// Starts the real service against a real database of one provider. Suites are written once against this
/// base and run on SQLite here and on PostgreSQL in the integration suite.
/// </summary>
public abstract class ClaimsAppFactory : WebApplicationFactory<Program>
{
    /// <summary>The clock the service sees: 2020-12-01 10:00 in China, so 2020 discharges are in the past.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2020, 12, 1, 2, 0, 0, TimeSpan.Zero));

    protected abstract string Provider { get; }

    protected abstract string ConnectionString { get; }

    /// <summary>The provider and connection string, for a CLI process pointed at the same database as this app.</summary>
    public (string Provider, string ConnectionString) Database => (Provider, ConnectionString);

    /// <summary>How often the instance reloads parameter sets; short in tests, the production default where that is the point.</summary>
    protected virtual int ParameterRefreshMilliseconds => 500;

    /// <summary>The commit pipeline (Database:Batching:Enabled); suites run with it on (the default) and off.</summary>
    protected virtual bool Batching => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Provider);
        builder.UseSetting("ConnectionStrings:Claims", ConnectionString);
        builder.UseSetting("Database:ReferenceDataPath", RepositoryPath("deploy", "reference-data"));
        builder.UseSetting("Database:Batching:Enabled", Batching ? "true" : "false");
        builder.UseSetting("Database:ParameterRefreshMilliseconds", ParameterRefreshMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The frozen clock is business time only: DatabaseResilience keeps Polly on the wall clock.
        builder.ConfigureServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
    }

    /// <summary>An HTTP client that authenticates with a new key of the given role and scope.</summary>
    public HttpClient ClientFor(string role, string? hospitalCode = null, params string[] regions)
    {
        var (_, key) = Services.GetRequiredService<ApiClientStore>()
            .CreateAsync($"test-{role}-{Guid.NewGuid():N}", role, hospitalCode, regions, Time.GetUtcNow().UtcDateTime, CancellationToken.None)
            .GetAwaiter().GetResult();
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return client;
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    public static string RepositoryPath(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ClaimsService.sln")))
                return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("ClaimsService.sln not found above the test binaries.");
    }
}

/// <summary>The embedded default: a fresh SQLite file per factory.</summary>
public class SqliteAppFactory : ClaimsAppFactory
{
    private readonly string _path;

    public SqliteAppFactory() : this(Path.Combine(Path.GetTempPath(), $"claims-test-{Guid.NewGuid():N}.db"))
    {
    }

    /// <summary>An instance on a given file: several instances on one file are several service instances on one database.</summary>
    protected SqliteAppFactory(string path) => _path = path;

    protected override string Provider => "Sqlite";

    protected override string ConnectionString => $"Data Source={_path};Pooling=False";

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }
}

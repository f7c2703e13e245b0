using ClaimsService.Api.Tests.Infrastructure;
using Npgsql;

namespace ClaimsService.Integration.Tests.Infrastructure;

/// <summary>
/// The service against a fresh PostgreSQL database per factory (<c>claims_&lt;guid&gt;</c>) on the server named by
/// <c>CLAIMS_TEST_PG</c>, dropped on dispose. Suites written against <see cref="ClaimsAppFactory"/> run on it unchanged.
/// </summary>
public class PostgresAppFactory : ClaimsAppFactory
{
    private readonly string _serverConnectionString;

    public PostgresAppFactory() : this(TestPostgres.ServerConnectionString)
    {
    }

    /// <summary>A factory on another server (xUnit needs the fixture's public constructor to be the only one).</summary>
    /// <param name="serverConnectionString">A connection string to the server's maintenance database.</param>
    /// <param name="configure">Adjusts the service's connection string (timeouts, pool size).</param>
    protected PostgresAppFactory(string serverConnectionString, Action<NpgsqlConnectionStringBuilder>? configure = null)
    {
        _serverConnectionString = serverConnectionString;
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = DatabaseName };
        configure?.Invoke(builder);
        DatabaseConnectionString = builder.ConnectionString;
        TestPostgres.ExecuteAsync(serverConnectionString, $"CREATE DATABASE {DatabaseName}").GetAwaiter().GetResult();
    }

    public string DatabaseName { get; } = $"claims_{Guid.NewGuid():N}";

    /// <summary>The service's connection string, for tests that look at the rows themselves.</summary>
    public string DatabaseConnectionString { get; }

    protected override string Provider => "PostgreSql";

    protected override string ConnectionString => DatabaseConnectionString;

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        using (var connection = new NpgsqlConnection(DatabaseConnectionString)) NpgsqlConnection.ClearPool(connection);
        try
        {
            TestPostgres.ExecuteAsync(_serverConnectionString, $"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)").GetAwaiter().GetResult();
        }
        catch (NpgsqlException)
        {
            // The server is already gone (a throwaway cluster stopped first): nothing is left to drop.
        }
    }
}

/// <summary>The same with Database:Batching:Enabled=false: every request in its own transaction.</summary>
public sealed class PostgresUnbatchedAppFactory : PostgresAppFactory
{
    protected override bool Batching => false;
}

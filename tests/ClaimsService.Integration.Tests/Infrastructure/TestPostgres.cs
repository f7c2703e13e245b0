using Npgsql;

namespace ClaimsService.Integration.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the suites run against, named by <c>CLAIMS_TEST_PG</c> (a connection string to its
/// <c>postgres</c> database) and <c>CLAIMS_TEST_PG_BIN</c> (its binaries), both exported by ./scripts/test.sh.
/// Without them the suites fail: a PostgreSQL test that silently passed would prove nothing.
/// </summary>
public static class TestPostgres
{
    public const string ServerVariable = "CLAIMS_TEST_PG";
    public const string BinVariable = "CLAIMS_TEST_PG_BIN";

    public static string ServerConnectionString => Required(ServerVariable);

    public static string BinDirectory => Required(BinVariable);

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value
            : throw new InvalidOperationException(
                $"{variable} is not set, so the PostgreSQL integration tests cannot run. Run them through ./scripts/test.sh, which starts a " +
                $"throwaway PostgreSQL cluster and exports {ServerVariable} and {BinVariable} " +
                "(e.g. `CLAIMS_TEST_PG_PORT=55501 ./scripts/test.sh --filter FullyQualifiedName~Integration`).");

    /// <summary>Creates a database of its own on the test server; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string name)
    {
        await ExecuteAsync(ServerConnectionString, $"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops it again, whoever is still connected (pools cleared first).</summary>
    public static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(ServerConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

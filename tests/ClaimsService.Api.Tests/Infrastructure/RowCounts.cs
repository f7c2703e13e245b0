using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using Dapper;

namespace ClaimsService.Api.Tests.Infrastructure;

/// <summary>
/// The number of rows in every table of the service's database, to prove that a request wrote nothing. Except
/// <see cref="RequestFigures"/>: every request, refused or not, is counted there by the instance's background flusher
/// (ops telemetry for the fleet dashboard, written seconds later), which is not state a request changes.
/// </summary>
public static class RowCounts
{
    public const string RequestFigures = "instance_request_minutes";

    private const string SqliteTables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
    private const string PostgresTables = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name";
    private const string SqlServerTables = "SELECT name FROM sys.tables ORDER BY name";

    public static Task<IReadOnlyDictionary<string, long>> OfEveryTableAsync(this ClaimsAppFactory factory)
    {
        var db = factory.Service<Db>();
        var tablesSql = db.Dialect.Provider switch
        {
            DatabaseProvider.Sqlite => SqliteTables,
            DatabaseProvider.PostgreSql => PostgresTables,
            _ => SqlServerTables,
        };
        return db.ReadAsync<IReadOnlyDictionary<string, long>>(async (c, t) =>
        {
            var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var table in (await c.QueryAsync<string>(new CommandDefinition(tablesSql, cancellationToken: t))).Where(n => n != RequestFigures))
                // Table names come from the database's own catalogue, never from a request.
                counts[table] = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {table}", cancellationToken: t));
            return counts;
        }, CancellationToken.None);
    }
}

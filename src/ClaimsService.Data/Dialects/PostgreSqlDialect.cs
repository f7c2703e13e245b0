using System.Data.Common;
using DbUp;
using DbUp.Builder;
using Npgsql;

namespace ClaimsService.Data.Dialects;

/// <summary>PostgreSQL: the real server the tests run against here, and PostgreSQL-compatible deployments.</summary>
public sealed class PostgreSqlDialect : SqlDialect
{
    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public override bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    // Npgsql's own classification: network errors, serialization failures, deadlocks, shutdowns, too many connections.
    public override bool IsTransient(Exception exception) =>
        exception is NpgsqlException { IsTransient: true };

    public override string LockLedgerSql => $"""
        INSERT INTO ledgers (region_code, insured_id, policy_year, eligible_to_date_fen, paid_to_date_fen, version, updated_at)
        VALUES (@RegionCode, @InsuredId, @PolicyYear, 0, 0, 0, @Now)
        ON CONFLICT DO NOTHING;
        SELECT {SelectLedgerColumns}
        FROM ledgers WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
        FOR UPDATE;
        """;

    public override UpgradeEngineBuilder Migrations(string connectionString) =>
        DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(SqlDialect).Assembly, IsOwnScript);
}

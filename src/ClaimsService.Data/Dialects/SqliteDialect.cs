using System.Data.Common;
using DbUp;
using DbUp.Builder;
using Microsoft.Data.Sqlite;

namespace ClaimsService.Data.Dialects;

/// <summary>The embedded default. Writers are serialised by BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default).</summary>
public sealed class SqliteDialect : SqlDialect
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
    public override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    // SQLITE_BUSY (5) and SQLITE_LOCKED (6).
    public override bool IsTransient(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 6 };

    public override string LockLedgerSql => $"""
        INSERT INTO ledgers (region_code, insured_id, policy_year, eligible_to_date_fen, paid_to_date_fen, version, updated_at)
        VALUES (@RegionCode, @InsuredId, @PolicyYear, 0, 0, 0, @Now)
        ON CONFLICT DO NOTHING;
        SELECT {SelectLedgerColumns}
        FROM ledgers WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear;
        """;

    // One writer and no round trips: a savepoint per item costs nothing and keeps the others of the cycle.
    public override bool SavepointPerItem => true;

    public override UpgradeEngineBuilder Migrations(string connectionString) =>
        DeployChanges.To.SqliteDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(SqlDialect).Assembly, IsOwnScript);
}

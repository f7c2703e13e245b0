using System.Data.Common;
using System.Globalization;
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

    // No row locks: the transaction (BEGIN IMMEDIATE) holds the database's write lock, which every writer takes first.
    public override string LockLedgerRangeSql => LedgerRangeSql;

    // One writer and no round trips: a savepoint per item costs nothing and keeps the others of the cycle.
    public override bool SavepointPerItem => true;

    public override string CreateRegistryStagingSql => """
        DROP TABLE IF EXISTS temp.registry_import;
        CREATE TEMP TABLE registry_import (
            line INTEGER NOT NULL, insured_id TEXT NOT NULL, region_code TEXT NOT NULL, category TEXT NOT NULL,
            valid_from TEXT NOT NULL, valid_to TEXT NULL, source TEXT NULL);
        """;

    public override string IndexRegistryStagingSql => "CREATE INDEX temp.ix_registry_import ON registry_import (insured_id, line)";

    public override string DropRegistryStagingSql => "DROP TABLE temp.registry_import";

    // Not named …Sql: a SQLite statement, which the T-SQL check of shared statements must not collect.
    private const string InsertStagingStatement = $"INSERT INTO registry_import ({StagingColumns}) VALUES (@Line, @InsuredId, @RegionCode, @Category, @ValidFrom, @ValidTo, @Source)";

    // One transaction, one prepared command whose parameters are set again for each row.
    public override async Task<long> LoadRegistryStagingAsync(DbConnection connection, DbTransaction transaction, IEnumerable<StagedRegistryEntry> rows, CancellationToken ct)
    {
        await using var command = (SqliteCommand)connection.CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText = InsertStagingStatement;
        var line = command.Parameters.Add("@Line", SqliteType.Integer);
        var insured = command.Parameters.Add("@InsuredId", SqliteType.Text);
        var region = command.Parameters.Add("@RegionCode", SqliteType.Text);
        var category = command.Parameters.Add("@Category", SqliteType.Text);
        var from = command.Parameters.Add("@ValidFrom", SqliteType.Text);
        var to = command.Parameters.Add("@ValidTo", SqliteType.Text);
        var source = command.Parameters.Add("@Source", SqliteType.Text);
        command.Prepare();
        long count = 0;
        foreach (var row in rows)
        {
            line.Value = row.Line;
            insured.Value = row.InsuredId;
            region.Value = row.RegionCode;
            category.Value = row.Category;
            from.Value = row.ValidFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            to.Value = row.ValidTo is { } t ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : DBNull.Value;
            source.Value = (object?)row.Source ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(ct);
            count++;
        }
        return count;
    }

    public override UpgradeEngineBuilder Migrations(string connectionString) =>
        DeployChanges.To.SqliteDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(SqlDialect).Assembly, IsOwnScript);
}

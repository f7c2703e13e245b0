using System.Data;
using System.Data.Common;
using DbUp;
using DbUp.Builder;
using Microsoft.Data.SqlClient;

namespace ClaimsService.Data.Dialects;

/// <summary>
/// SQL Server: production. Retries are Polly's alone (style.md 8), so SqlClient's own are turned off here: its
/// reconnection of a broken idle connection and its login retries (<c>ConnectRetryCount=0</c>, whatever the
/// configured string says) and its configurable retry logic (the none provider on every connection).
/// </summary>
public sealed class SqlServerDialect : SqlDialect
{
    // Deadlock victim, timeouts, Azure SQL / Always On failover and throttling, broken connections.
    private static readonly HashSet<int> TransientNumbers =
    [
        -2, 20, 64, 233, 1205, 4060, 4221, 10053, 10054, 10060, 10928, 10929, 40143, 40197, 40501, 40540,
        40613, 42108, 42109, 49918, 49919, 49920,
        51205, // ours: an application lock of the registry not granted (deadlock victim or timeout), LockRegistrySql
    ];

    public override DatabaseProvider Provider => DatabaseProvider.SqlServer;

    public override DbConnection CreateConnection(string connectionString) =>
        new SqlConnection(WithoutRetries(connectionString)) { RetryLogicProvider = SqlConfigurableRetryFactory.CreateNoneRetryProvider() };

    /// <summary>The connection string with SqlClient's connection retries off.</summary>
    public static string WithoutRetries(string connectionString) =>
        new SqlConnectionStringBuilder(connectionString) { ConnectRetryCount = 0 }.ConnectionString;

    // 2627: unique constraint; 2601: unique index.
    public override bool IsUniqueViolation(Exception exception) =>
        exception is SqlException { Number: 2627 or 2601 };

    public override bool IsTransient(Exception exception) =>
        exception is SqlException sql && sql.Errors.Cast<SqlError>().Any(e => TransientNumbers.Contains(e.Number));

    public override string LockLedgerSql => $"""
        IF NOT EXISTS (SELECT 1 FROM ledgers WITH (UPDLOCK, HOLDLOCK)
                       WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear)
            INSERT INTO ledgers (region_code, insured_id, policy_year, eligible_to_date_fen, paid_to_date_fen, version, updated_at)
            VALUES (@RegionCode, @InsuredId, @PolicyYear, 0, 0, 0, @Now);
        SELECT {SelectLedgerColumns}
        FROM ledgers WITH (UPDLOCK, ROWLOCK)
        WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear;
        """;

    // One batch: the keys travel as one JSON parameter (no table type to deploy), are created when missing under
    // UPDLOCK/HOLDLOCK and locked with UPDLOCK in key order (a deadlock, 1205, is transient: the batch reruns).
    public override string? LockLedgersSql => """
        DECLARE @keys TABLE (region_code NCHAR(6) NOT NULL, insured_id NCHAR(18) NOT NULL, policy_year INT NOT NULL,
            PRIMARY KEY (region_code, insured_id, policy_year));
        INSERT INTO @keys (region_code, insured_id, policy_year)
        SELECT region_code, insured_id, policy_year
        FROM OPENJSON(@Keys) WITH (region_code NCHAR(6) '$.r', insured_id NCHAR(18) '$.i', policy_year INT '$.y');
        INSERT INTO ledgers (region_code, insured_id, policy_year, eligible_to_date_fen, paid_to_date_fen, version, updated_at)
        SELECT k.region_code, k.insured_id, k.policy_year, 0, 0, 0, @Now
        FROM @keys k
        WHERE NOT EXISTS (SELECT 1 FROM ledgers l WITH (UPDLOCK, HOLDLOCK)
                          WHERE l.region_code = k.region_code AND l.insured_id = k.insured_id AND l.policy_year = k.policy_year);
        SELECT l.version
        FROM @keys k
        INNER LOOP JOIN ledgers l WITH (UPDLOCK, ROWLOCK)
          ON l.region_code = k.region_code AND l.insured_id = k.insured_id AND l.policy_year = k.policy_year
        ORDER BY k.region_code, k.insured_id, k.policy_year;
        """;

    public override object LockLedgersArgs(IReadOnlyList<Stores.PersonYearKey> sorted, DateTime now) => new
    {
        Keys = System.Text.Json.JsonSerializer.Serialize(sorted.Select(k => new { r = k.RegionCode, i = k.InsuredId, y = k.PolicyYear })),
        Now = now,
    };

    // Application locks owned by the transaction: the registry shared, then each person exclusively in order. sp_getapplock
    // answers a deadlock or timeout with a negative status rather than an error: made one here (1205 is transient).
    public override string? LockRegistrySql => """
        DECLARE @status INT, @resource NVARCHAR(64), @person NVARCHAR(18);
        EXEC @status = sp_getapplock @Resource = N'claims.registry', @LockMode = N'Shared', @LockOwner = N'Transaction';
        IF @status < 0 THROW 51205, N'The registry lock was not granted.', 1;
        DECLARE people CURSOR LOCAL FAST_FORWARD FOR SELECT value FROM OPENJSON(@People) ORDER BY value;
        OPEN people;
        FETCH NEXT FROM people INTO @person;
        WHILE @@FETCH_STATUS = 0
        BEGIN
            SET @resource = N'claims.registry.' + @person;
            EXEC @status = sp_getapplock @Resource = @resource, @LockMode = N'Exclusive', @LockOwner = N'Transaction';
            IF @status < 0 THROW 51205, N'A registry person lock was not granted.', 1;
            FETCH NEXT FROM people INTO @person;
        END;
        CLOSE people;
        DEALLOCATE people;
        """;

    public override string? LockWholeRegistrySql => """
        DECLARE @status INT;
        EXEC @status = sp_getapplock @Resource = N'claims.registry', @LockMode = N'Exclusive', @LockOwner = N'Transaction';
        IF @status < 0 THROW 51205, N'The registry lock was not granted.', 1;
        """;

    public override object LockRegistryArgs(IEnumerable<string> people) =>
        new { People = System.Text.Json.JsonSerializer.Serialize(people.Distinct().Order(StringComparer.Ordinal)) };

    // UPDLOCK on every row of the range as the seek on the primary key reads it, in key order.
    public override string LockLedgerRangeSql => $"""
        SELECT insured_id AS InsuredId, {SelectLedgerColumns}
        FROM ledgers WITH (UPDLOCK, ROWLOCK)
        WHERE region_code = @RegionCode AND policy_year = @PolicyYear AND insured_id >= @First AND insured_id <= @Last
        ORDER BY insured_id
        """;

    public override string FirstRows(string orderedSelect) => $"{orderedSelect}\nOFFSET 0 ROWS FETCH NEXT @Limit ROWS ONLY";

    public override string RegistryStagingTable => "#registry_import";

    public override string CreateRegistryStagingSql => """
        CREATE TABLE #registry_import (
            line BIGINT NOT NULL, insured_id NVARCHAR(18) NOT NULL, region_code NVARCHAR(6) NOT NULL, category NVARCHAR(32) NOT NULL,
            valid_from DATE NOT NULL, valid_to DATE NULL, source NVARCHAR(200) NULL)
        """;

    public override string IndexRegistryStagingSql => "CREATE INDEX ix_registry_import ON #registry_import (insured_id, line)";

    private const int BulkBatch = 10_000;

    // SqlBulkCopy in batches of 10 000 rows: one table of that size is held at a time, whatever the file's length.
    public override async Task<long> LoadRegistryStagingAsync(DbConnection connection, DbTransaction transaction, IEnumerable<StagedRegistryEntry> rows, CancellationToken ct)
    {
        using var bulk = new SqlBulkCopy((SqlConnection)connection, SqlBulkCopyOptions.Default, (SqlTransaction)transaction)
        {
            DestinationTableName = RegistryStagingTable, BulkCopyTimeout = 0, BatchSize = BulkBatch,
        };
        using var table = new DataTable();
        table.Columns.Add("line", typeof(long));
        table.Columns.Add("insured_id", typeof(string));
        table.Columns.Add("region_code", typeof(string));
        table.Columns.Add("category", typeof(string));
        table.Columns.Add("valid_from", typeof(DateTime));
        table.Columns.Add("valid_to", typeof(DateTime));
        table.Columns.Add("source", typeof(string));
        foreach (DataColumn column in table.Columns) bulk.ColumnMappings.Add(column.ColumnName, column.ColumnName);
        long count = 0;
        foreach (var row in rows)
        {
            table.Rows.Add(row.Line, row.InsuredId, row.RegionCode, row.Category, row.ValidFrom.ToDateTime(TimeOnly.MinValue),
                row.ValidTo is { } to ? to.ToDateTime(TimeOnly.MinValue) : DBNull.Value, (object?)row.Source ?? DBNull.Value);
            if (table.Rows.Count < BulkBatch) continue;
            await bulk.WriteToServerAsync(table, ct);
            count += table.Rows.Count;
            table.Clear();
        }
        if (table.Rows.Count > 0) await bulk.WriteToServerAsync(table, ct);
        return count + table.Rows.Count;
    }

    public override UpgradeEngineBuilder Migrations(string connectionString) =>
        DeployChanges.To.SqlDatabase(WithoutRetries(connectionString))
            .WithScriptsEmbeddedInAssembly(typeof(SqlDialect).Assembly, IsOwnScript);
}

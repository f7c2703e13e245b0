using System.Data.Common;
using DbUp;
using DbUp.Builder;
using Npgsql;
using NpgsqlTypes;

namespace ClaimsService.Data.Dialects;

/// <summary>PostgreSQL: the real server the tests run against here, and PostgreSQL-compatible deployments.</summary>
public sealed partial class PostgreSqlDialect : SqlDialect
{
    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public override bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    // Npgsql's own classification: network errors, serialization failures, deadlocks, shutdowns, too many connections.
    // Npgsql does not count a backend terminated by an administrator or a server shutting down (57P01–57P03) as
    // transient; for the caller it is an outage like a refused connection: 503, retry the same request.
    public override bool IsTransient(Exception exception) =>
        exception is NpgsqlException { IsTransient: true }
        or PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow };

    /// <summary>
    /// A generic plan is kept until its tables' statistics change. One made while a table was empty or young (a new database;
    /// the first minute after a VACUUM of an empty table) scans it, and goes on scanning it as it grows: PostgreSQL's time per
    /// settlement grew with the table (bench/README.md, "Plans made on a young table"). With sequential scans off for the
    /// transaction, a point lookup by a key is planned as an index scan on that key whatever the table's size. The
    /// settlement batch sends it too (<c>SettlementBatch.PlanningStatements</c>).
    /// </summary>
    internal const string NoSequentialScans = "SET LOCAL enable_seqscan = off";

    public override string KeyLookupsOnlySql => $"{NoSequentialScans};\n";

    /// <summary>
    /// A person-year's rows read by its index: on an empty table every index that starts with region_code looks as cheap as
    /// the person-year's, and the first one found reads the whole region; ordered by sequence, only the person-year's index
    /// (region, insured, year, sequence) saves a sort. OFFSET 0 keeps the subquery from being flattened.
    /// </summary>
    internal const string ByPersonYearIndex = "ORDER BY sequence OFFSET 0";

    public override string PersonYearSetsSql => $"""
        SELECT definition FROM parameter_sets
        WHERE id IN (SELECT s.id FROM (SELECT parameter_set_id, repriced_parameter_set_id FROM adjudications
                                       WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
                                       {ByPersonYearIndex}) a
                     CROSS JOIN LATERAL (VALUES (a.parameter_set_id), (a.repriced_parameter_set_id)) s(id))
        """;

    public override string LockLedgerSql => $"""
        INSERT INTO ledgers (region_code, insured_id, policy_year, eligible_to_date_fen, paid_to_date_fen, version, updated_at)
        VALUES (@RegionCode, @InsuredId, @PolicyYear, 0, 0, 0, @Now)
        ON CONFLICT DO NOTHING;
        SELECT {SelectLedgerColumns}
        FROM ledgers WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
        FOR UPDATE;
        """;

    // Transaction-scoped advisory locks (released at commit or rollback, so nothing outlives the transaction on a pooled
    // connection): key 1_146_000 is the registry; (1_146_001, hash of the resident ID) a person in it.
    public override string? LockRegistrySql => """
        SELECT pg_advisory_xact_lock_shared(1146000);
        SELECT pg_advisory_xact_lock(1146001, hashtext(p)) FROM (SELECT unnest(@People::text[]) AS p ORDER BY 1) AS people;
        """;

    public override string? LockWholeRegistrySql => "SELECT pg_advisory_xact_lock(1146000)";

    // LockRows above the sort: the range's rows are locked in key order, like a batch's.
    public override string LockLedgerRangeSql => $"{LedgerRangeSql}\nFOR UPDATE";

    public override string CreateRegistryStagingSql => """
        CREATE TEMP TABLE registry_import (
            line BIGINT NOT NULL, insured_id VARCHAR(18) NOT NULL, region_code VARCHAR(6) NOT NULL, category VARCHAR(32) NOT NULL,
            valid_from DATE NOT NULL, valid_to DATE NULL, source VARCHAR(200) NULL) ON COMMIT DROP
        """;

    // Temporary tables are never analysed by autovacuum: without statistics the set-based statements plan badly.
    public override string IndexRegistryStagingSql => "CREATE INDEX ON registry_import (insured_id, line); ANALYZE registry_import";

    // Not named …Sql: a PostgreSQL statement, which the T-SQL check of shared statements must not collect.
    private const string CopyStatement = $"COPY registry_import ({StagingColumns}) FROM STDIN (FORMAT BINARY)";

    // Binary COPY: the rows stream to the server as they are read.
    public override async Task<long> LoadRegistryStagingAsync(DbConnection connection, DbTransaction transaction, IEnumerable<StagedRegistryEntry> rows, CancellationToken ct)
    {
        await using var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(CopyStatement, ct);
        importer.Timeout = TimeSpan.Zero;
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(row.Line, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(row.InsuredId, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(row.RegionCode, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(row.Category, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(row.ValidFrom, NpgsqlDbType.Date, ct);
            if (row.ValidTo is { } to) await importer.WriteAsync(to, NpgsqlDbType.Date, ct);
            else await importer.WriteNullAsync(ct);
            if (row.Source is { } source) await importer.WriteAsync(source, NpgsqlDbType.Varchar, ct);
            else await importer.WriteNullAsync(ct);
        }
        return (long)await importer.CompleteAsync(ct);
    }

    public override UpgradeEngineBuilder Migrations(string connectionString) =>
        DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(SqlDialect).Assembly, IsOwnScript);
}

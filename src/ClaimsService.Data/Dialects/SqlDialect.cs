using System.Data.Common;
using DbUp.Builder;

namespace ClaimsService.Data.Dialects;

/// <summary>
/// Everything that differs between the providers, and nothing else: connections, error classification,
/// the ledger row lock and the migration engine. All other SQL is shared and lives next to its store.
/// </summary>
public abstract partial class SqlDialect
{
    public abstract DatabaseProvider Provider { get; }

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>A unique constraint or primary key was violated.</summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>An error after which the whole unit of work may safely run again (busy, deadlock, failover, lost connection).</summary>
    public abstract bool IsTransient(Exception exception);

    /// <summary>
    /// Creates the person-year's ledger row when it is missing and reads it locked until the transaction ends.
    /// Parameters: RegionCode, InsuredId, PolicyYear, Now. Columns: EligibleToDateFen, PaidToDateFen, Version.
    /// </summary>
    public abstract string LockLedgerSql { get; }

    /// <summary>
    /// Sent first in every round trip of lookups by key (a settlement's or a preview's reads, a ledger, a settlement), with the
    /// statements after it: it holds until the transaction, or the implicit one of the round trip, ends, and the plans of the
    /// lookups that follow use their indexes whatever the statistics said when they were planned (PostgreSQL,
    /// <see cref="PostgreSqlDialect.KeyLookupsOnlySql"/>). Empty elsewhere.
    /// </summary>
    public virtual string KeyLookupsOnlySql => "";

    /// <summary>
    /// The definitions of the sets the person-year's stays were priced with: each is re-priced with its own set.
    /// Parameters: RegionCode, InsuredId, PolicyYear. Column: definition.
    /// </summary>
    public virtual string PersonYearSetsSql => """
        SELECT definition FROM parameter_sets
        WHERE id IN (SELECT parameter_set_id FROM adjudications
                     WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
                     UNION SELECT repriced_parameter_set_id FROM adjudications
                     WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
                       AND repriced_parameter_set_id IS NOT NULL)
        """;

    /// <summary>
    /// A batch's ledger lock in one statement: creates the missing rows and locks them all, in the order of their key, so two
    /// batches (of any instances) never wait on each other in a cycle; its parameters are <see cref="LockLedgersArgs"/> (SQL Server).
    /// Null: <see cref="LockLedgerSql"/> once per key in key order (the same order, one round trip each). PostgreSQL never
    /// locks this way: a batch of more than one item is read, locked and planned in memory (<c>SettlementBatch.ReadAsync</c>).
    /// </summary>
    public virtual string? LockLedgersSql => null;

    /// <summary>The parameters of <see cref="LockLedgersSql"/> for keys already in key order (a provider that has it gives them).</summary>
    public virtual object LockLedgersArgs(IReadOnlyList<Stores.PersonYearKey> sorted, DateTime now) =>
        throw new NotSupportedException($"{Provider} locks a batch's ledgers one statement per key.");

    /// <summary>
    /// Serialises writes to the registry across connections and instances until the transaction ends: a batch takes the
    /// registry shared and each of its people (<c>@People</c>, from <see cref="LockRegistryArgs"/>) exclusively, in order, so
    /// two copies of one batch never both find an entry missing; an import (<see cref="LockWholeRegistrySql"/>) takes the whole
    /// registry exclusively. Null where the provider serialises writers itself (SQLite: BEGIN IMMEDIATE).
    /// </summary>
    public virtual string? LockRegistrySql => null;

    /// <summary>The registry taken exclusively (an import): no batch, end or retraction runs meanwhile.</summary>
    public virtual string? LockWholeRegistrySql => null;

    /// <summary>The parameters of <see cref="LockRegistrySql"/>.</summary>
    public virtual object LockRegistryArgs(IEnumerable<string> people) => new { People = people.Distinct().Order(StringComparer.Ordinal).ToArray() };

    /// <summary>
    /// A re-adjudication chunk's ledger lock in one statement: the ledger rows of a region-year whose insured person is in
    /// [@First, @Last], locked in key order until the transaction ends. Parameters: RegionCode, PolicyYear, First, Last.
    /// Columns: InsuredId, EligibleToDateFen, PaidToDateFen, Version.
    /// </summary>
    public abstract string LockLedgerRangeSql { get; }

    /// <summary>The same rows as <see cref="LockLedgerRangeSql"/>, read without a lock (a dry run).</summary>
    public const string LedgerRangeSql = $"""
        SELECT insured_id AS InsuredId, {SelectLedgerColumns}
        FROM ledgers WHERE region_code = @RegionCode AND policy_year = @PolicyYear AND insured_id >= @First AND insured_id <= @Last
        ORDER BY insured_id
        """;

    /// <summary>Batches isolate each item with a savepoint (cheap in-process); otherwise a failed item aborts the attempt and the batch reruns without it.</summary>
    public virtual bool SavepointPerItem => false;

    /// <summary>An ordered SELECT cut to its first <c>@Limit</c> rows.</summary>
    public virtual string FirstRows(string orderedSelect) => $"{orderedSelect}\nLIMIT @Limit";

    /// <summary>The staging table of a registry import, as statements name it (a temporary table of the session).</summary>
    public virtual string RegistryStagingTable => "registry_import";

    /// <summary>
    /// Creates the import's staging table (columns: line, insured_id, region_code, category, valid_from, valid_to, source),
    /// inside the import's transaction.
    /// </summary>
    public abstract string CreateRegistryStagingSql { get; }

    /// <summary>Indexes (and, where the planner needs it, analyses) the staging table once it is loaded.</summary>
    public abstract string IndexRegistryStagingSql { get; }

    /// <summary>Drops the staging table before the import commits.</summary>
    public virtual string DropRegistryStagingSql => $"DROP TABLE {RegistryStagingTable}";

    /// <summary>
    /// Streams <paramref name="rows"/> into the staging table the fastest way the provider has (PostgreSQL binary COPY, SQL Server
    /// SqlBulkCopy, SQLite one prepared command): memory stays flat whatever the number of rows. Returns the rows loaded.
    /// </summary>
    public abstract Task<long> LoadRegistryStagingAsync(DbConnection connection, DbTransaction transaction, IEnumerable<StagedRegistryEntry> rows, CancellationToken ct);

    /// <summary>The DbUp engine for this provider, with its own scripts.</summary>
    public abstract UpgradeEngineBuilder Migrations(string connectionString);

    /// <summary>The embedded-resource prefix of this provider's migration scripts.</summary>
    protected string ScriptPrefix => $"ClaimsService.Data.Migrations.{Provider}.";

    protected bool IsOwnScript(string resourceName) => resourceName.StartsWith(ScriptPrefix, StringComparison.Ordinal);

    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(),
        DatabaseProvider.PostgreSql => new PostgreSqlDialect(),
        DatabaseProvider.SqlServer => new SqlServerDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    protected const string StagingColumns = "line, insured_id, region_code, category, valid_from, valid_to, source";

    internal const string SelectLedgerColumns =
        "eligible_to_date_fen AS EligibleToDateFen, paid_to_date_fen AS PaidToDateFen, version AS Version";
}

/// <summary>One valid line of a registry import, with its line number in the file (the header is line 1).</summary>
public sealed record StagedRegistryEntry(long Line, string InsuredId, string RegionCode, string Category, DateOnly ValidFrom, DateOnly? ValidTo, string? Source);

using System.Data.Common;
using DbUp.Builder;

namespace ClaimsService.Data.Dialects;

/// <summary>
/// Everything that differs between the providers, and nothing else: connections, error classification,
/// the ledger row lock and the migration engine. All other SQL is shared and lives next to its store.
/// </summary>
public abstract class SqlDialect
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

    /// <summary>An ordered SELECT cut to its first <c>@Limit</c> rows.</summary>
    public virtual string FirstRows(string orderedSelect) => $"{orderedSelect}\nLIMIT @Limit";

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

    internal const string SelectLedgerColumns =
        "eligible_to_date_fen AS EligibleToDateFen, paid_to_date_fen AS PaidToDateFen, version AS Version";
}

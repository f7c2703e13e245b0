using System.Reflection;
using ClaimsService.Data.Dialects;
using ClaimsService.Data.Stores;

namespace ClaimsService.Integration.Tests.SqlServer;

/// <summary>SQL Server cannot run here: every script and statement it would be sent is parsed as T-SQL instead.</summary>
public sealed class TransactSqlParsesTests
{
    [Fact]
    public void EverySqlServerMigrationScriptIsValidTransactSql()
    {
        var scripts = TransactSql.MigrationScripts();
        Assert.True(scripts.Count >= 2, $"Only {scripts.Count} SQL Server migration scripts were found among the embedded resources.");
        Assert.Empty(scripts.SelectMany(s => TransactSql.Problems(s.Sql).Select(p => $"{s.Name} {p}")));
    }

    [Fact]
    public void EveryStatementTheServiceSendsOnSqlServerIsValidTransactSql()
    {
        var statements = TransactSql.Statements();
        // Not vacuous: the stores' statements, the dialect's ledger lock and at least one paged read are all there.
        Assert.True(statements.Count >= 10, $"Only {statements.Count} statements were found.");
        Assert.Contains(statements, s => s.Name == $"{nameof(SqlServerDialect)}.{nameof(SqlServerDialect.LockLedgerSql)}");
        Assert.Contains(statements, s => s.Name.StartsWith($"{nameof(SqlServerDialect)}.{nameof(SqlDialect.FirstRows)}(", StringComparison.Ordinal));
        // And the statements composed from the dialect per unit of work (per-stay's PersonYearUnitOfWork, which replaced
        // SettlementStore's settle batch): the locked reads open with SQL Server's ledger lock, and parse.
        var unitOfWork = typeof(PersonYearUnitOfWork).GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic).Single()
            .Invoke([new SqlServerDialect(), null, null]);
        var lockedReads = (string)typeof(PersonYearUnitOfWork).GetProperty("LockedReadsSql", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(unitOfWork)!;
        Assert.StartsWith(new SqlServerDialect().LockLedgerSql, lockedReads, StringComparison.Ordinal);
        Assert.Empty(TransactSql.Problems(lockedReads));
        Assert.Empty(statements.SelectMany(s => TransactSql.Problems(s.Sql).Select(p => $"{s.Name} {p}")));
    }

    [Fact]
    public void TheCheckRejectsWhatOtherDialectsWrite()
    {
        // The PostgreSQL upsert, the shared LIMIT paging and boolean literals must not slip through as T-SQL.
        Assert.NotEmpty(TransactSql.Problems(new PostgreSqlDialect().LockLedgerSql));
        Assert.NotEmpty(TransactSql.Problems(new SqliteDialect().FirstRows("SELECT id FROM reconciliation_runs ORDER BY id DESC")));
        Assert.NotEmpty(TransactSql.Problems("UPDATE adjudications SET cap_applied = TRUE WHERE id = @Id"));
        Assert.NotEmpty(TransactSql.Problems("CREATE TABLE t (flag BOOLEAN NOT NULL)"));
    }
}

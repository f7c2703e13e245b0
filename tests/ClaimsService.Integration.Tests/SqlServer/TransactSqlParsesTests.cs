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
        // And the statements composed per instance from the dialect: the settle and reversal batch opens with SQL Server's ledger lock.
        var settleReads = Assert.Single(statements, s => s.Name == $"{typeof(SettlementStore).FullName}._lockedReadsSql");
        Assert.StartsWith(new SqlServerDialect().LockLedgerSql, settleReads.Sql, StringComparison.Ordinal);
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

using ClaimsService.Data.Dialects;
using DbUp.Engine.Output;
using Microsoft.Data.Sqlite;

namespace ClaimsService.Data;

/// <summary>Applies the provider's DbUp scripts. Used by the <c>migrate</c> verb and at start.</summary>
public static class Migrator
{
    public static void Run(SqlDialect dialect, string connectionString, TextWriter? log = null)
    {
        if (dialect.Provider == DatabaseProvider.Sqlite) EnsureSqliteFolder(connectionString);
        var builder = dialect.Migrations(connectionString).WithTransactionPerScript();
        builder = log is null ? builder.LogToNowhere() : builder.LogTo(new WriterLog(log));
        var result = builder.Build().PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
    }

    /// <summary>True when every script is applied, false while some are not yet (readiness: migrations applied).</summary>
    public static bool IsUpToDate(SqlDialect dialect, string connectionString) =>
        !dialect.Migrations(connectionString).LogToNowhere().Build().IsUpgradeRequired();

    private static void EnsureSqliteFolder(string connectionString)
    {
        var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }

    private sealed class WriterLog(TextWriter writer) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) => writer.WriteLine(format, args);
        public void LogWarning(string format, params object[] args) => writer.WriteLine(format, args);
        public void LogError(string format, params object[] args) => writer.WriteLine(format, args);
        public void LogError(Exception ex, string format, params object[] args) => writer.WriteLine(format, args);
    }
}

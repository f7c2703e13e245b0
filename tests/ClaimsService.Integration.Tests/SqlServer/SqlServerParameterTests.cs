using System.Data;
using System.Data.Common;
using ClaimsService.Data;
using ClaimsService.Data.Stores;
using Dapper;
using Microsoft.Data.SqlClient;

namespace ClaimsService.Integration.Tests.SqlServer;

/// <summary>
/// How Dapper types the parameters it hands to SqlClient, seen without a server: the statement is never sent,
/// the command is only built. Instants go into datetime2(7) columns, so they must travel as datetime2.
/// </summary>
public sealed class SqlServerParameterTests
{
    [Fact]
    public async Task InstantsTravelAsDatetime2SoSqlServerKeepsTheirTicks()
    {
        DapperSetup.Configure();
        var at = new DateTime(2020, 12, 1, 2, 0, 0, DateTimeKind.Utc).AddTicks(1_234_567);
        var command = await BuildAsync(new { At = at, Revoked = (DateTime?)at, Day = new DateOnly(2020, 12, 1) });

        // SqlDbType.DateTime would round to 1/300 s before the value reaches the datetime2(7) column.
        Assert.Equal(SqlDbType.DateTime2, command.Parameters["At"].SqlDbType);
        Assert.Equal(at, command.Parameters["At"].Value);
        Assert.Equal(SqlDbType.DateTime2, command.Parameters["Revoked"].SqlDbType);
        Assert.Equal(SqlDbType.Date, command.Parameters["Day"].SqlDbType);
    }

    [Fact]
    public async Task AnAdjudicationRowsInstantTravelsAsDatetime2()
    {
        DapperSetup.Configure();
        var row = new AdjudicationRow { AdjudicatedAt = DateTime.UtcNow, BusinessDate = new DateOnly(2020, 12, 1) };
        var command = await BuildAsync(row, "INSERT INTO adjudications (adjudicated_at, business_date) VALUES (@AdjudicatedAt, @BusinessDate)");
        Assert.Equal(SqlDbType.DateTime2, command.Parameters["AdjudicatedAt"].SqlDbType);
    }

    private static async Task<SqlCommand> BuildAsync(object parameters, string sql = "SELECT @At, @Revoked, @Day")
    {
        var connection = new CommandCapture();
        // SqlClient refuses to run a command without a connection: by then Dapper has added every parameter.
        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.ExecuteAsync(sql, parameters));
        return connection.Command!;
    }

    /// <summary>A connection that is "open" and hands out real SqlCommands, so Dapper builds them as for SQL Server.</summary>
    private sealed class CommandCapture : DbConnection
    {
        public SqlCommand? Command { get; private set; }
        [System.Diagnostics.CodeAnalysis.AllowNull] public override string ConnectionString { get; set; } = "";
        public override string Database => "capture";
        public override string DataSource => "capture";
        public override string ServerVersion => "16.0";
        public override ConnectionState State => ConnectionState.Open;
        public override void ChangeDatabase(string databaseName) { }
        public override void Close() { }
        public override void Open() { }
        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();
        protected override DbCommand CreateDbCommand() => Command = new SqlCommand();
    }
}

using ClaimsService.Data.Dialects;
using Microsoft.Data.SqlClient;

namespace ClaimsService.Integration.Tests.SqlServer;

/// <summary>
/// style.md 8: Polly's <c>claims-db</c> pipeline is the only retry layer. SqlClient retries on its own unless told not
/// to (ConnectRetryCount defaults to 1), so the dialect's connections must have it off. Seen without a server.
/// </summary>
public sealed class SqlServerRetryTests
{
    [Theory]
    [InlineData("Server=db.example;Database=claims;User ID=claims;Password=x;TrustServerCertificate=true")]
    [InlineData("Server=db.example;Database=claims;Integrated Security=true;ConnectRetryCount=5;ConnectRetryInterval=2")]
    public void TheDialectsConnectionsHaveSqlClientsOwnRetriesOff(string configured)
    {
        // Not vacuous: left alone, SqlClient reconnects and retries logins once, or as often as configured.
        Assert.NotEqual(0, new SqlConnectionStringBuilder(configured).ConnectRetryCount);

        using var connection = Assert.IsType<SqlConnection>(new SqlServerDialect().CreateConnection(configured));

        var sent = new SqlConnectionStringBuilder(connection.ConnectionString);
        Assert.Equal(0, sent.ConnectRetryCount);
        Assert.Equal(new SqlConnectionStringBuilder(configured).DataSource, sent.DataSource);
        Assert.Equal(new SqlConnectionStringBuilder(configured).InitialCatalog, sent.InitialCatalog);
        // The configurable retry logic: the provider that runs a call once and hands its failure on.
        var calls = 0;
        Assert.Throws<TimeoutException>(() => connection.RetryLogicProvider.Execute<int>(this, () => { calls++; throw new TimeoutException(); }));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void MigrationsConnectWithoutSqlClientsRetriesToo() =>
        Assert.Equal(0, new SqlConnectionStringBuilder(SqlServerDialect.WithoutRetries("Server=db.example;Database=claims;ConnectRetryCount=3")).ConnectRetryCount);
}

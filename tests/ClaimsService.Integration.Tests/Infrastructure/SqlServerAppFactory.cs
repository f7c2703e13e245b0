using System.Data.Common;
using ClaimsService.Api.Tests.Infrastructure;
using Microsoft.Data.SqlClient;
using Testcontainers.MsSql;

namespace ClaimsService.Integration.Tests.Infrastructure;

/// <summary>
/// The service against SQL Server 2022 in a throwaway container (Testcontainers), with a database of its own.
/// Only used by <see cref="SqlServerFactAttribute"/> tests, so without a Docker engine nothing is started.
/// </summary>
public sealed class SqlServerAppFactory : ClaimsAppFactory, IAsyncLifetime
{
    public const string Image = "mcr.microsoft.com/mssql/server:2022-CU14-ubuntu-22.04";
    private MsSqlContainer? _container;
    private string? _connectionString;

    protected override string Provider => "SqlServer";

    protected override string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The SQL Server container is not running.");

    public async Task InitializeAsync()
    {
        if (DockerEngine.Unavailable is not null) return;
        _container = new MsSqlBuilder(Image).Build();
        await _container.StartAsync();
        await using (var master = new SqlConnection(_container.GetConnectionString()))
        {
            await master.OpenAsync();
            await using var create = new SqlCommand("CREATE DATABASE claims", master);
            await create.ExecuteNonQueryAsync();
        }
        _connectionString = new SqlConnectionStringBuilder(_container.GetConnectionString()) { InitialCatalog = "claims" }.ConnectionString;
    }

    public async Task<DbConnection> OpenDatabaseAsync()
    {
        var connection = new SqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_container is not null) await _container.DisposeAsync();
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}

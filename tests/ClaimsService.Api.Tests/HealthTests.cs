using System.Net;
using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Api.Tests;

/// <summary>Liveness and readiness answer without a key.</summary>
public abstract class HealthTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    [Fact]
    public async Task TheServiceIsLive()
    {
        var live = await (await factory.CreateClient().GetAsync("/health/live")).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal("Healthy", live.Text("status"));
    }

    [Fact]
    public async Task TheServiceIsReadyWithItsDatabaseMigratedAndParametersLoaded()
    {
        var ready = await (await factory.CreateClient().GetAsync("/health/ready")).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal("Healthy", ready.Text("status"));
        var checks = ready.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").Text("status"));
        Assert.Equal("Healthy", checks.GetProperty("parameter-cache").Text("status"));
    }
}

public sealed class SqliteHealthTests(SqliteAppFactory f) : HealthTests<SqliteAppFactory>(f);

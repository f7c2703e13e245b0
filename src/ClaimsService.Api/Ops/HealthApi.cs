using System.Text.Json;
using ClaimsService.Api.Parameters;
using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using Dapper;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Ops;

/// <summary>Liveness (the process answers) and readiness (database reachable, migrations applied, parameters loaded).</summary>
public static class HealthApi
{
    private const string Ready = "ready";

    public static IServiceCollection AddClaimsHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready])
            .AddCheck<ParameterCacheHealthCheck>("parameter-cache", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = Write }).WithTags("Health");
        return app;
    }

    private static Task Write(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, JsonSerializerOptions.Web));
    }
}

/// <summary>The database answers and every migration script is applied.</summary>
internal sealed class DatabaseHealthCheck(Db db, SqlDialect dialect, IOptions<DatabaseOptions> options) : IHealthCheck
{
    private volatile bool _migrated;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await db.ReadAsync((c, t) => c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: t)), ct);
            // Once applied, scripts stay applied: ask DbUp only until it says so.
            _migrated = _migrated || Migrator.IsUpToDate(dialect, options.Value.ConnectionString);
            return _migrated ? HealthCheckResult.Healthy($"{dialect.Provider} reachable, migrations applied.")
                : HealthCheckResult.Unhealthy("Migrations are pending: run the migrate verb.");
        }
        catch (DatabaseUnavailableException e)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}

internal sealed class ParameterCacheHealthCheck(ParameterSetCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(cache.Loaded
            ? HealthCheckResult.Healthy($"{cache.All.Count} parameter sets in memory.")
            : HealthCheckResult.Unhealthy("Parameter sets are not loaded."));
}

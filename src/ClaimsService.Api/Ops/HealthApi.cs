using ClaimsService.Api.Parameters;
using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
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
        var group = app.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", Live).WithName("Live").WithSummary("The process answers.");
        group.MapGet("/ready", ReadyAsync).WithName("Ready")
            .WithSummary("Database reachable, migrations applied, parameter sets loaded; 503 otherwise.");
        return app;
    }

    public static Ok<HealthResponse> Live() => TypedResults.Ok(new HealthResponse("Healthy", new Dictionary<string, HealthCheckEntry>()));

    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> ReadyAsync(HealthCheckService health, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(Ready), ct);
        var body = new HealthResponse(report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckEntry(e.Value.Status.ToString(), e.Value.Description)));
        return report.Status == HealthStatus.Healthy ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthCheckEntry(string Status, string? Description);

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthCheckEntry> Checks);

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

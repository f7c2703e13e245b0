using System.Data.Common;
using System.Net.Sockets;
using ClaimsService.Data.Dialects;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ClaimsService.Data;

/// <summary>
/// The one resilience layer for database calls: timeout, retry of transient errors only, circuit breaker.
/// Providers' own retry logic stays off so nothing is retried twice over.
/// </summary>
public static class DatabaseResilience
{
    public const string PipelineName = "claims-db";
    /// <summary>Set to false on a unit of work that is not safe to run twice: it then runs once.</summary>
    public static readonly ResiliencePropertyKey<bool> RetrySafe = new("claims.retry-safe");
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddDatabaseResilience(this IServiceCollection services, SqlDialect dialect)
    {
        var state = new CircuitBreakerStateProvider();
        services.AddSingleton(state);
        services.AddResiliencePipeline(PipelineName, (builder, context) =>
            Build(builder, dialect, context.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value, state));
        return services;
    }

    private static void Build(ResiliencePipelineBuilder builder, SqlDialect dialect, DatabaseOptions options, CircuitBreakerStateProvider state)
    {
        // Polly.Extensions takes the TimeProvider from DI, which is the business clock (tests freeze it): timeouts,
        // retry delays and the breaker's sampling and break measure the database's real time instead.
        builder.TimeProvider = TimeProvider.System;
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            Name = "db-breaker",
            FailureRatio = 0.5,
            MinimumThroughput = 8,
            SamplingDuration = TimeSpan.FromSeconds(10),
            BreakDuration = BreakDuration,
            StateProvider = state,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => IsOutage(dialect, e) || e is TimeoutRejectedException),
        });
        builder.AddRetry(new RetryStrategyOptions
        {
            Name = "db-retry",
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromMilliseconds(50),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } e && dialect.IsTransient(e) && args.Context.Properties.GetValue(RetrySafe, true)),
        });
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "db-timeout", Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) });
    }

    /// <summary>The database is out of reach (as opposed to a bad statement or a constraint).</summary>
    public static bool IsOutage(SqlDialect dialect, Exception e) =>
        dialect.IsTransient(e) || e is SocketException || e.InnerException is SocketException or TimeoutException
        || (e is DbException && e.InnerException is IOException);
}

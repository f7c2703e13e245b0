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
/// The one resilience layer for database calls, outermost first: a total timeout (what a request waits for the
/// database at most, <see cref="DatabaseOptions.TotalTimeoutSeconds"/>), circuit breaker, retry of transient errors
/// only, per-attempt timeout. Providers' own retry logic is off (SqlServerDialect) so nothing is retried twice over.
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
        // Outermost: bounds the whole call, retries and their delays included, even when the driver is slow to honour
        // cancellation (a frozen server: Npgsql's cancel request waits on it too).
        builder.AddStrategy(_ => new TotalTimeoutStrategy(TimeSpan.FromSeconds(options.TotalTimeoutSeconds)),
            new TotalTimeoutStrategyOptions { Name = "db-total-timeout" });
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

    private sealed class TotalTimeoutStrategyOptions : ResilienceStrategyOptions;

    /// <summary>
    /// Polly's timeout strategy cancels the callback and then waits for it to end, which a frozen server can delay
    /// well past the timeout. This one cancels and answers <see cref="TimeoutRejectedException"/> at the deadline; the
    /// abandoned call ends on its own once its cancellation is honoured (its connection is disposed by its
    /// <c>await using</c>). It runs the rest of the pipeline on a context of its own, so the caller may return its
    /// pooled context at once without the abandoned call still using it.
    /// </summary>
    private sealed class TotalTimeoutStrategy(TimeSpan timeout) : ResilienceStrategy
    {
        protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
        {
            var cts = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            cts.CancelAfter(timeout);
            var inner = ResilienceContextPool.Shared.Get(context.OperationKey, cts.Token);
            if (context.Properties.TryGetValue(RetrySafe, out var retrySafe)) inner.Properties.Set(RetrySafe, retrySafe);
            var call = callback(inner, state).AsTask();
            try
            {
                var outcome = await call.WaitAsync(timeout, context.CancellationToken).ConfigureAwait(false);
                if (outcome.Exception is OperationCanceledException && cts.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
                    outcome = Outcome.FromException<TResult>(new TimeoutRejectedException($"The database call took more than {timeout.TotalSeconds:0.#} s in all.", timeout));
                ResilienceContextPool.Shared.Return(inner);
                cts.Dispose();
                return outcome;
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                // Abandoned: cancel it, let it finish in the background, and never return its context to the pool.
                await cts.CancelAsync().ConfigureAwait(false);
                _ = call.ContinueWith(static (t, c) => { _ = t.Exception; ((CancellationTokenSource)c!).Dispose(); }, cts, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return e is TimeoutException
                    ? Outcome.FromException<TResult>(new TimeoutRejectedException($"The database call took more than {timeout.TotalSeconds:0.#} s in all.", timeout))
                    : Outcome.FromException<TResult>(e);
            }
        }
    }

    /// <summary>The database is out of reach (as opposed to a bad statement or a constraint).</summary>
    public static bool IsOutage(SqlDialect dialect, Exception e) =>
        dialect.IsTransient(e) || e is SocketException || e.InnerException is SocketException or TimeoutException
        || (e is DbException && e.InnerException is IOException);
}

using System.Data.Common;
using ClaimsService.Data.Dialects;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;

namespace ClaimsService.Data;

/// <summary>The database could not be reached, or is shedding load; the API answers 503 database_unavailable.</summary>
public sealed class DatabaseUnavailableException(string message, Exception inner, TimeSpan retryAfter) : Exception(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Runs units of work against the configured database through the named resilience pipeline
/// (<see cref="DatabaseResilience.PipelineName"/>). A unit of work runs in one connection and, when asked,
/// one transaction; a transient failure runs the whole unit again, so only idempotent units ask for retries.
/// </summary>
public sealed class Db(SqlDialect dialect, IOptions<DatabaseOptions> options, ResiliencePipelineProvider<string> pipelines)
{
    private readonly ResiliencePipeline _pipeline = pipelines.GetPipeline(DatabaseResilience.PipelineName);

    public SqlDialect Dialect => dialect;

    /// <summary>Reads on a connection of its own, retried on a transient failure.</summary>
    public Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken ct) => OnConnectionAsync(work, ct, retry: true);

    /// <summary>Runs <paramref name="work"/> in a transaction, committed when it returns.</summary>
    /// <param name="retry">Only for work that is safe to run twice (idempotent by key, or read-before-write).</param>
    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work, CancellationToken ct, bool retry = true) =>
        ExecuteAsync(retry, async token =>
        {
            await using var connection = await OpenAsync(token);
            await using var transaction = await connection.BeginTransactionAsync(token);
            var result = await work(connection, transaction, token);
            await transaction.CommitAsync(token);
            return result;
        }, ct);

    /// <summary>
    /// Runs a unit of work that opens its own transaction (<see cref="BeginAsync"/>) through the pipeline: a transient
    /// failure runs the whole unit again, so only work that is safe to run twice asks for <paramref name="retry"/>.
    /// </summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct, bool retry = true) => ExecuteAsync(retry, work, ct);

    /// <summary>A connection with an open transaction, for a unit of work run inside <see cref="RunAsync{T}"/>.</summary>
    internal async Task<(DbConnection Connection, DbTransaction Transaction)> BeginAsync(CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        try
        {
            return (connection, await connection.BeginTransactionAsync(ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a connection of its own without a transaction: each statement commits by itself (one
    /// round trip for an insert, where <c>BEGIN</c>, the insert and <c>COMMIT</c> take three).
    /// </summary>
    /// <param name="retry">Only for work that is safe to run twice.</param>
    public Task<T> OnConnectionAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken ct, bool retry) =>
        ExecuteAsync(retry, async token =>
        {
            await using var connection = await OpenAsync(token);
            return await work(connection, token);
        }, ct);

    /// <summary>
    /// Opens a connection for a long read that streams to a client (reconciliation statements). Opening goes through
    /// the pipeline (breaker, retries, timeout); the read does not, because its length depends on the rows and on how
    /// fast the client takes them, which the per-call timeout cannot bound. The caller disposes the connection.
    /// </summary>
    public Task<DbConnection> OpenForStreamingAsync(CancellationToken ct) => ExecuteAsync(retry: true, OpenAsync, ct);

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = dialect.CreateConnection(options.Value.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<T> ExecuteAsync<T>(bool retry, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(DatabaseResilience.RetrySafe, retry);
        try
        {
            return await _pipeline.ExecuteAsync(static async (ctx, w) => await w(ctx.CancellationToken), context, work);
        }
        catch (BrokenCircuitException e)
        {
            throw new DatabaseUnavailableException("The database is unavailable (circuit open).", e, e.RetryAfter ?? DatabaseResilience.BreakDuration);
        }
        catch (TimeoutRejectedException e) when (!ct.IsCancellationRequested)
        {
            throw new DatabaseUnavailableException("The database did not answer in time.", e, DatabaseResilience.BreakDuration);
        }
        catch (Exception e) when (DatabaseResilience.IsOutage(dialect, e) && !ct.IsCancellationRequested)
        {
            throw new DatabaseUnavailableException("The database is unavailable.", e, DatabaseResilience.BreakDuration);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}

using System.Data.Common;
using ClaimsService.Data.Dialects;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>
/// Many units of work in one transaction (the commit pipeline): lock every person-year of the batch in key order, then run
/// each item's unit of work (<see cref="Work"/>) in arrival order, so an item sees the items before it; commit once.
/// </summary>
public sealed partial class SettlementBatch : IAsyncDisposable
{
    private const string Savepoint = "batch_item";
    private readonly SqlDialect _dialect;
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;

    internal SettlementBatch(SqlDialect dialect, PersonYearUnitOfWork work, DbConnection connection, DbTransaction transaction)
    {
        _dialect = dialect;
        Work = work;
        _connection = connection;
        _transaction = transaction;
    }

    /// <summary>The unit of work every item runs in; it neither commits nor disposes the batch's transaction.</summary>
    public PersonYearUnitOfWork Work { get; }

    /// <summary>False once the connection broke (killed backend, failover): the error was the batch's, not an item's.</summary>
    public bool IsOpen => _connection.State == System.Data.ConnectionState.Open;

    /// <summary>The database is out of reach (<see cref="DatabaseResilience.IsOutage"/>).</summary>
    public bool IsOutage(Exception e) => DatabaseResilience.IsOutage(_dialect, e);

    /// <summary>True when a failed item is undone by <see cref="RollbackItemAsync"/>; otherwise the attempt must be abandoned.</summary>
    public bool IsolatesItems => _dialect.SavepointPerItem;

    /// <summary>The person-year of a settlement (for a reversal's lock), read before any lock: a settlement's person-year never changes.</summary>
    public async Task<PersonYearKey?> PersonYearOfAsync(string hospitalCode, string settlementId, CancellationToken ct) =>
        await Work.FindByKeyAsync(Keys.Settlement(hospitalCode, settlementId), ct) is { } row
            ? new PersonYearKey(row.RegionCode, row.InsuredId, row.PolicyYear)
            : null;

    /// <summary>Creates the missing ledger rows and locks them all, in key order (ordinal), until the batch ends.</summary>
    public async Task LockAsync(IEnumerable<PersonYearKey> keys, DateTime now, CancellationToken ct)
    {
        var sorted = PersonYearKey.InKeyOrder(keys.Distinct()).ToList();
        if (sorted.Count == 0) return;
        if (_dialect.LockLedgersSql is { } all)
        {
            await _connection.ExecuteAsync(new CommandDefinition(all, _dialect.LockLedgersArgs(sorted, now), _transaction, cancellationToken: ct));
            return;
        }
        foreach (var key in sorted)
            await _connection.ExecuteAsync(new CommandDefinition(_dialect.LockLedgerSql, SettlementStore.Args(key, now), _transaction, cancellationToken: ct));
    }

    public Task BeginItemAsync(CancellationToken ct) => IsolatesItems ? _transaction.SaveAsync(Savepoint, ct) : Task.CompletedTask;

    public Task EndItemAsync(CancellationToken ct) => IsolatesItems ? _transaction.ReleaseAsync(Savepoint, ct) : Task.CompletedTask;

    public Task RollbackItemAsync(CancellationToken ct) => _transaction.RollbackAsync(Savepoint, ct);

    public Task CommitAsync(CancellationToken ct) => _transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

using System.Data.Common;
using System.Text.Json;
using ClaimsService.Domain;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>What a settlement reads under the ledger lock: this key's first answer if any, the person-year and the registry.</summary>
public sealed record SettlementReads(Adjudication? Existing, PersonYear PersonYear, IReadOnlyList<CategoryEntry> Registry);

/// <summary>What a reversal reads under the ledger lock: the settlement, its reversal if already done, and the person-year.</summary>
public sealed record ReversalReads(Adjudication Target, Adjudication? Existing, PersonYear PersonYear)
{
    /// <summary>On a replay: the adjustments the first reversal wrote.</summary>
    public IReadOnlyList<Adjudication> ExistingAdjustments =>
        Existing is null ? [] : PersonYear.Rows.Where(r => r.Kind == Kinds.Adjustment && r.RelatedId == Existing.Id).Select(Adjudication.From).ToList();
}

/// <summary>Who asked and with what, for the audit entries of a plan.</summary>
public sealed record AuditContext(string Caller, string InputsJson, string? TraceId);

/// <summary>
/// One adjudication of one person-year in one transaction: lock the ledger row and read the person-year, append the rows
/// the domain planned with their audit entries and the ledger after, commit. Disposing without committing rolls back.
/// </summary>
public sealed partial class PersonYearUnitOfWork : IAsyncDisposable, IPersonYearWork
{
    private readonly string _lockedReads;
    private readonly string _findByKey;
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly bool _ownsTransaction;

    /// <param name="ownsTransaction">False inside a batch (<see cref="SettlementBatch"/>): the batch commits and disposes.</param>
    internal PersonYearUnitOfWork(string lockedReads, string findByKey, DbConnection connection, DbTransaction transaction, bool ownsTransaction = true)
    {
        _lockedReads = lockedReads;
        _findByKey = findByKey;
        _connection = connection;
        _transaction = transaction;
        _ownsTransaction = ownsTransaction;
    }

    public async Task<SettlementReads> LockForSettlementAsync(PersonYearKey key, string hospitalCode, string settlementId, DateTime now, CancellationToken ct)
    {
        await using var grid = await _connection.QueryMultipleAsync(new CommandDefinition(_lockedReads,
            SettlementStore.Args(key, now, Keys.Settlement(hospitalCode, settlementId)), _transaction, cancellationToken: ct));
        var ledger = await grid.ReadSingleAsync<LedgerRow>();
        var existing = await grid.ReadSingleOrDefaultAsync<AdjudicationRow>();
        var registry = await RegistryStore.ReadForPersonAsync(grid);
        return new SettlementReads(existing is null ? null : Adjudication.From(existing), await SettlementStore.ReadPersonYearAsync(key, ledger, grid), registry);
    }

    /// <summary>The adjudication with this idempotency key, in this transaction (before any lock: its person-year never changes).</summary>
    internal Task<AdjudicationRow?> FindByKeyAsync(string key, CancellationToken ct) =>
        SettlementStore.FindByKeyAsync(_connection, _transaction, _findByKey, key, ct);

    /// <summary>Null when this hospital has no settlement with this id.</summary>
    public async Task<ReversalReads?> LockForReversalAsync(string hospitalCode, string settlementId, DateTime now, CancellationToken ct)
    {
        if (await FindByKeyAsync(Keys.Settlement(hospitalCode, settlementId), ct) is not { } target)
            return null;
        var key = new PersonYearKey(target.RegionCode, target.InsuredId, target.PolicyYear);
        await using var grid = await _connection.QueryMultipleAsync(new CommandDefinition(_lockedReads,
            SettlementStore.Args(key, now, Keys.Reversal(hospitalCode, settlementId)), _transaction, cancellationToken: ct));
        var ledger = await grid.ReadSingleAsync<LedgerRow>();
        var existing = await grid.ReadSingleOrDefaultAsync<AdjudicationRow>();
        await RegistryStore.ReadForPersonAsync(grid);
        return new ReversalReads(Adjudication.From(target), existing is null ? null : Adjudication.From(existing),
            await SettlementStore.ReadPersonYearAsync(key, ledger, grid));
    }

    private const string InsertSql = $"INSERT INTO adjudications ({AdjudicationRow.Columns}) VALUES ({AdjudicationRow.Values})";
    private const string MarkReversedSql = "UPDATE adjudications SET reversed_by_id = @ReversalId WHERE id = @Id";
    private const string UpdateLedgerSql = """
        UPDATE ledgers SET eligible_to_date_fen = @EligibleToDateFen, paid_to_date_fen = @PaidToDateFen, version = @Version, updated_at = @Now
        WHERE region_code = @RegionCode AND insured_id = @InsuredId AND policy_year = @PolicyYear
        """;

    /// <summary>
    /// Appends the rows of a plan, one audit entry each, and moves the ledger; returns what was appended, in order. A settlement
    /// takes its hospital facts from <paramref name="newStay"/>.
    /// </summary>
    public Task<IReadOnlyList<Adjudication>> AppendAsync(PersonYear personYear, AdjudicationPlan plan, NewStay? newStay, AuditContext audit,
        DateTime now, CancellationToken ct) => AppendAsync(personYear, plan, newStay, null, audit, now, ct);

    private async Task<IReadOnlyList<Adjudication>> AppendAsync(PersonYear personYear, AdjudicationPlan plan, NewStay? newStay, string? runId,
        AuditContext audit, DateTime now, CancellationToken ct)
    {
        var rows = personYear.RowsOf(plan, newStay, now, runId);
        foreach (var row in rows)
        {
            await _connection.ExecuteAsync(new CommandDefinition(InsertSql, row, _transaction, cancellationToken: ct));
            await AuditStore.AppendAsync(_connection, _transaction, AuditOf(row, audit), ct);
            if (row.Kind == Kinds.Reversal)
                await _connection.ExecuteAsync(new CommandDefinition(MarkReversedSql, new { ReversalId = row.Id, Id = row.RelatedId }, _transaction, cancellationToken: ct));
        }
        await _connection.ExecuteAsync(new CommandDefinition(UpdateLedgerSql, new
        {
            EligibleToDateFen = Money.ToFen(plan.LedgerAfter.EligibleToDate), PaidToDateFen = Money.ToFen(plan.LedgerAfter.PaidToDate),
            Version = personYear.Version + rows.Count, Now = now,
            personYear.Key.RegionCode, personYear.Key.InsuredId, personYear.Key.PolicyYear,
        }, _transaction, cancellationToken: ct));
        return rows.Select(Adjudication.From).ToList();
    }

    public Task CommitAsync(CancellationToken ct) => _transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (!_ownsTransaction) return;
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    internal static AuditRow AuditOf(AdjudicationRow row, AuditContext audit) => new()
    {
        AdjudicationId = row.Id,
        Kind = row.Kind,
        Outcome = "accepted",
        Caller = audit.Caller,
        HospitalCode = row.HospitalCode,
        SettlementId = row.SettlementId,
        RegionCode = row.RegionCode,
        ParameterSetId = row.ParameterSetId,
        ParameterSetVersion = row.ParameterSetVersion,
        Category = row.Category,
        Inputs = audit.InputsJson,
        Trace = row.Trace,
        Outputs = JsonSerializer.Serialize(new AuditOutputs(row.Id, row.Kind, Money.FromFen(row.PayoutFen), Money.FromFen(row.DeductibleFen),
            Money.FromFen(row.EligibleAmountFen), Money.FromFen(row.EligibleBeforeFen), Money.FromFen(row.EligibleAfterFen),
            Money.FromFen(row.PaidBeforeFen), Money.FromFen(row.PaidAfterFen), row.CapApplied, row.RelatedId, row.CandidateCategories),
            StoredJson.Default.AuditOutputs),
        TraceId = audit.TraceId,
        RecordedAt = row.AdjudicatedAt,
    };
}

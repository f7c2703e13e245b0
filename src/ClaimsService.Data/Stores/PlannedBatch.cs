using ClaimsService.Domain;

namespace ClaimsService.Data.Stores;

/// <summary>
/// A settlement batch planned in memory (issue 12): what every item reads was read in one round trip under the batch's ledger
/// locks (<see cref="SettlementBatch.ReadAsync"/>); each item then reads this state and appends its plan to it in arrival
/// order, so item 2 of a person-year sees item 1 and a second copy of a key finds the first; the rows, audit entries and
/// ledgers it collects are written in one more round trip (<see cref="SettlementBatch.WriteAsync"/>). An item that throws
/// before its append leaves the state as it found it: appending is the last thing an item does, and it changes nothing
/// until every row of the plan is built.
/// </summary>
public sealed class PlannedBatch : IPersonYearWork
{
    private readonly Dictionary<string, AdjudicationRow> _byKey;
    private readonly Dictionary<PersonYearKey, Locked> _personYears;
    private readonly ILookup<string, RegistryRow> _registry;
    private readonly HashSet<string> _newIds = [];

    internal PlannedBatch(IEnumerable<AdjudicationRow> byKey, Dictionary<PersonYearKey, Locked> personYears, ILookup<string, RegistryRow> registry)
    {
        _byKey = new Dictionary<string, AdjudicationRow>(StringComparer.Ordinal);
        foreach (var row in byKey) _byKey[row.IdempotencyKey] = row;
        _personYears = personYears;
        _registry = registry;
    }

    /// <summary>What the items appended, in order, with one audit entry each.</summary>
    internal List<AdjudicationRow> NewRows { get; } = [];
    internal List<AuditRow> NewAudit { get; } = [];
    /// <summary>Settlements already stored that a reversal of this batch takes out: (settlement id, reversal id).</summary>
    internal List<(string Id, string ReversalId)> Reversed { get; } = [];
    /// <summary>The person-years whose ledger moved, in key order of first move.</summary>
    internal IEnumerable<(PersonYearKey Key, LedgerRow Ledger, DateTime At)> MovedLedgers =>
        _personYears.Where(p => p.Value.MovedAt is not null).Select(p => (p.Key, p.Value.Ledger, p.Value.MovedAt!.Value));

    public bool Wrote => NewRows.Count > 0;

    public Task<SettlementReads> LockForSettlementAsync(PersonYearKey key, string hospitalCode, string settlementId, DateTime now, CancellationToken ct)
    {
        var existing = _byKey.GetValueOrDefault(Keys.Settlement(hospitalCode, settlementId));
        var registry = SettlementBatch.RegistryOf(_registry, key);
        return Task.FromResult(new SettlementReads(existing is null ? null : Adjudication.From(existing), LockedOf(key).PersonYear(key), registry));
    }

    public Task<ReversalReads?> LockForReversalAsync(string hospitalCode, string settlementId, DateTime now, CancellationToken ct)
    {
        if (_byKey.GetValueOrDefault(Keys.Settlement(hospitalCode, settlementId)) is not { } target) return Task.FromResult<ReversalReads?>(null);
        var key = new PersonYearKey(target.RegionCode, target.InsuredId, target.PolicyYear);
        var existing = _byKey.GetValueOrDefault(Keys.Reversal(hospitalCode, settlementId));
        // A void's tombstone has no person-year (its caller answers with the tombstone): nothing to lock or read.
        var personYear = target.Kind == Kinds.Void ? PersonYear.From(key, new LedgerRow(), [], []) : LockedOf(key).PersonYear(key);
        return Task.FromResult<ReversalReads?>(new ReversalReads(Adjudication.From(target), existing is null ? null : Adjudication.From(existing), personYear));
    }

    public Task<IReadOnlyList<Adjudication>> AppendAsync(PersonYear personYear, AdjudicationPlan plan, NewStay? newStay, AuditContext audit, DateTime now,
        CancellationToken ct)
    {
        var locked = LockedOf(personYear.Key);
        if (personYear.Version != locked.Ledger.Version) throw new InvalidOperationException("A plan against a person-year the batch has moved since.");
        var rows = personYear.RowsOf(plan, newStay, now);
        var audits = rows.Select(r => PersonYearUnitOfWork.AuditOf(r, audit)).ToList();
        var answers = rows.Select(Adjudication.From).ToList();

        // Nothing above changed the batch; from here on the item is part of it.
        foreach (var row in rows)
        {
            if (row.Kind == Kinds.Reversal && row.RelatedId is { } targetId)
            {
                locked.Rows.First(r => r.Id == targetId).ReversedById = row.Id;
                if (!_newIds.Contains(targetId)) Reversed.Add((targetId, row.Id));
            }
            _byKey[row.IdempotencyKey] = row;
            _newIds.Add(row.Id);
            locked.Rows.Add(row);
        }
        foreach (var entry in plan.Entries) locked.Sets[entry.Set.Id] = entry.Set;
        locked.Ledger = new LedgerRow
        {
            EligibleToDateFen = Money.ToFen(plan.LedgerAfter.EligibleToDate), PaidToDateFen = Money.ToFen(plan.LedgerAfter.PaidToDate),
            Version = personYear.Version + rows.Count,
        };
        locked.MovedAt = now;
        locked.Invalidate();
        NewRows.AddRange(rows);
        NewAudit.AddRange(audits);
        return Task.FromResult<IReadOnlyList<Adjudication>>(answers);
    }

    private Locked LockedOf(PersonYearKey key) => _personYears.TryGetValue(key, out var locked) ? locked : throw new PersonYearNotLockedException();

    /// <summary>A person-year locked by the batch: its ledger, rows and sets as the items before left them.</summary>
    internal sealed class Locked(LedgerRow ledger, List<AdjudicationRow> rows, Dictionary<string, ParameterSet> sets)
    {
        private PersonYear? _personYear;

        public LedgerRow Ledger { get; set; } = ledger;
        public List<AdjudicationRow> Rows { get; } = rows;
        public Dictionary<string, ParameterSet> Sets { get; } = sets;
        public DateTime? MovedAt { get; set; }

        public PersonYear PersonYear(PersonYearKey key) => _personYear ??= Stores.PersonYear.From(key, Ledger, Rows.ToList(), Sets.Values);

        public void Invalidate() => _personYear = null;
    }

    /// <summary>An active registry entry of one of the batch's insured persons, in registry order.</summary>
    internal sealed class RegistryRow
    {
        public string InsuredId { get; set; } = "";
        public string RegionCode { get; set; } = "";
        public string Category { get; set; } = "";
        public DateOnly ValidFrom { get; set; }
        public DateOnly? ValidTo { get; set; }
    }
}

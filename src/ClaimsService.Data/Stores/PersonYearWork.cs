using ClaimsService.Domain;

namespace ClaimsService.Data.Stores;

/// <summary>
/// What a settlement or reversal needs of the store: its reads under the ledger lock and the append of a plan. Implemented by
/// the per-request unit of work (SQL, one round trip each) and by a batch planned in memory (<see cref="PlannedBatch"/>:
/// the batch's reads were taken in one round trip, and its writes go in one more).
/// </summary>
public interface IPersonYearWork
{
    Task<SettlementReads> LockForSettlementAsync(PersonYearKey key, string hospitalCode, string settlementId, DateTime now, CancellationToken ct);

    /// <summary>Null when this hospital has no settlement with this id.</summary>
    Task<ReversalReads?> LockForReversalAsync(string hospitalCode, string settlementId, DateTime now, CancellationToken ct);

    /// <summary>Appends the rows of a plan, one audit entry each, and moves the ledger; returns what was appended, in order.</summary>
    Task<IReadOnlyList<Adjudication>> AppendAsync(PersonYear personYear, AdjudicationPlan plan, NewStay? newStay, AuditContext audit, DateTime now,
        CancellationToken ct);
}

/// <summary>What an item of a settlement batch reads: a settlement's person-year and key, or the settlement a reversal takes out.</summary>
public sealed record BatchRead(PersonYearKey? Settles, string HospitalCode, string SettlementId)
{
    public static BatchRead Settlement(PersonYearKey key, string hospitalCode, string settlementId) => new(key, hospitalCode, settlementId);
    public static BatchRead Reversal(string hospitalCode, string settlementId) => new(null, hospitalCode, settlementId);
}

/// <summary>
/// A reversal's settlement was committed (by another instance) after the batch locked its person-years, so its person-year
/// is not locked: the batch runs again, and this time locks it.
/// </summary>
public sealed class PersonYearNotLockedException() : Exception("A reversal's person-year was not locked by its batch.");

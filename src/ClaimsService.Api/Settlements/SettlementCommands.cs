using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Settlements;

/// <summary>
/// A settlement or reversal with everything the request decides already resolved (set, policy year, audit context, the
/// instant): what runs in a unit of work, alone (its own transaction) or as one item of a batch (<see cref="CommitPipeline"/>).
/// Running it reads under the ledger lock, lets the domain plan and appends the plan; committing is the caller's.
/// </summary>
public abstract class SettlementCommand(DateTime now)
{
    public DateTime Now { get; } = now;

    /// <summary>The person-year to lock before the batch's items run, or null when there is none (an unknown settlement).</summary>
    public abstract Task<PersonYearKey?> PersonYearAsync(SettlementBatch batch, CancellationToken ct);

    public abstract Task<AdjudicationOutcome> RunAsync(PersonYearUnitOfWork work, CancellationToken ct);

    /// <summary>Only a new adjudication writes; a replay or a rejection leaves the transaction as it found it.</summary>
    public static bool Wrote(AdjudicationOutcome outcome) => outcome is AdjudicationOutcome.Adjudicated { Replayed: false };

    // What may reach a log: never the insured person or the caller's settlement id.
    public sealed override string ToString() => GetType().Name;
}

public sealed class SettleCommand(PersonYearKey key, ValidSettlement request, Placement placement, NewStay stay, AuditContext audit, DateTime now)
    : SettlementCommand(now)
{
    public PersonYearKey Key => key;
    public NewStay Stay => stay;

    public override Task<PersonYearKey?> PersonYearAsync(SettlementBatch batch, CancellationToken ct) => Task.FromResult<PersonYearKey?>(key);

    public override async Task<AdjudicationOutcome> RunAsync(PersonYearUnitOfWork work, CancellationToken ct)
    {
        var read = await work.LockForSettlementAsync(key, stay.HospitalCode, stay.SettlementId, Now, ct);
        if (read.Existing is { } existing) return SettlementService.Repeat(existing, stay.RequestHash);

        var plan = Planner.Settle(read.PersonYear.State, new AdjudicationCommand.Settle(Guid.CreateVersion7(Now).ToString(), request.Costs,
            placement.Set, Resolution.CategoriesOn(read.Registry, request.DischargeDate), request.ReferredOutOfRegion));
        var rows = await work.AppendAsync(read.PersonYear, plan, stay, audit, Now, ct);
        return new AdjudicationOutcome.Adjudicated(rows[0], [], Replayed: false);
    }
}

public sealed class ReverseCommand(string hospitalCode, string settlementId, AuditContext audit, DateTime now) : SettlementCommand(now)
{
    public override Task<PersonYearKey?> PersonYearAsync(SettlementBatch batch, CancellationToken ct) =>
        batch.PersonYearOfAsync(hospitalCode, settlementId, ct);

    public override async Task<AdjudicationOutcome> RunAsync(PersonYearUnitOfWork work, CancellationToken ct)
    {
        if (await work.LockForReversalAsync(hospitalCode, settlementId, Now, ct) is not { } read) return SettlementService.NotFound(settlementId);
        if (read.Existing is { } done) return new AdjudicationOutcome.Adjudicated(done, read.ExistingAdjustments, Replayed: true);

        var plan = Planner.Reverse(read.PersonYear.State, new AdjudicationCommand.Reverse(read.Target.Id));
        var rows = await work.AppendAsync(read.PersonYear, plan, null, audit, Now, ct);
        return new AdjudicationOutcome.Adjudicated(rows[0], rows.Skip(1).ToList(), Replayed: false);
    }
}

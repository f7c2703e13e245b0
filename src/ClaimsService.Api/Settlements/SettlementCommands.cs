using System.Text.Json;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Settlements;

/// <summary>
/// A settlement or reversal with everything the request decides already resolved (set, policy year, audit context, the
/// instant): what runs in a unit of work, alone (its own transaction) or as one item of a batch (<see cref="CommitPipeline"/>:
/// against the batch's reads planned in memory on PostgreSQL, else in the batch's transaction item by item).
/// Running it reads under the ledger lock, lets the domain plan and appends the plan; committing is the caller's.
/// </summary>
public abstract class SettlementCommand(DateTime now)
{
    public DateTime Now { get; } = now;

    /// <summary>What the item reads, for a batch that reads all its items' at once.</summary>
    public abstract BatchRead Read { get; }

    /// <summary>The person-year to lock before the batch's items run, or null when there is none (an unknown settlement).</summary>
    public abstract Task<PersonYearKey?> PersonYearAsync(SettlementBatch batch, CancellationToken ct);

    public abstract Task<AdjudicationOutcome> RunAsync(IPersonYearWork work, CancellationToken ct);

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

    public override BatchRead Read => BatchRead.Settlement(key, stay.HospitalCode, stay.SettlementId);

    public override Task<PersonYearKey?> PersonYearAsync(SettlementBatch batch, CancellationToken ct) => Task.FromResult<PersonYearKey?>(key);

    public override async Task<AdjudicationOutcome> RunAsync(IPersonYearWork work, CancellationToken ct)
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
    public override BatchRead Read => BatchRead.Reversal(hospitalCode, settlementId);

    public override Task<PersonYearKey?> PersonYearAsync(SettlementBatch batch, CancellationToken ct) =>
        batch.PersonYearOfAsync(hospitalCode, settlementId, ct);

    public override async Task<AdjudicationOutcome> RunAsync(IPersonYearWork work, CancellationToken ct)
    {
        if (await work.LockForReversalAsync(hospitalCode, settlementId, Now, ct) is not { } read) return SettlementService.NotFound(settlementId);
        // A voided id was never settled: there is nothing to reverse, and the void stands.
        if (read.Target.Kind == Kinds.Void) return new AdjudicationOutcome.Adjudicated(read.Target, [], Replayed: true);
        if (read.Existing is { } done) return new AdjudicationOutcome.Adjudicated(done, read.ExistingAdjustments, Replayed: true);

        var plan = Planner.Reverse(read.PersonYear.State, new AdjudicationCommand.Reverse(read.Target.Id));
        var rows = await work.AppendAsync(read.PersonYear, plan, null, audit, Now, ct);
        return new AdjudicationOutcome.Adjudicated(rows[0], rows.Skip(1).ToList(), Replayed: false);
    }
}

/// <summary>
/// A preview with its set resolved: planned against an unlocked read of its person-year, written nowhere but in its audit
/// entry. Alone, or one of a batch whose reads go in one round trip and whose audit entries go in one insert.
/// </summary>
public sealed class PreviewCommand(PersonYearKey key, ValidSettlement request, Placement placement, string? hospitalCode, AuditRow entry, DateTime now)
{
    public PersonYearKey Key => key;

    /// <summary>The preview's answer and its audit entry, to be written before the answer is given.</summary>
    public (AdjudicationOutcome.Previewed Outcome, AuditRow Entry) Plan(PersonYear personYear, IReadOnlyList<CategoryEntry> registry)
    {
        var plan = Planner.Settle(personYear.State, new AdjudicationCommand.Settle(Guid.CreateVersion7(now).ToString(), request.Costs,
            placement.Set, Resolution.CategoriesOn(registry, request.DischargeDate), request.ReferredOutOfRegion));
        var row = personYear.Preview(plan, new NewStay(hospitalCode ?? "", request.SettlementId, request.AdmissionDate, request.DischargeDate,
            request.Hash(), request.National), now)[0] with { Kind = Kinds.Preview };

        entry.AdjudicationId = row.Id;
        entry.ParameterSetId = row.ParameterSetId;
        entry.ParameterSetVersion = row.ParameterSetVersion;
        entry.Category = row.Category;
        var response = SettlementResponse.From(row);
        entry.Trace = JsonSerializer.Serialize(response.Trace, AuditJson.Default.IReadOnlyListTraceStep);
        entry.Outputs = JsonSerializer.Serialize(response, AuditJson.Default.SettlementResponse);
        return (new AdjudicationOutcome.Previewed(row), entry);
    }

    public sealed override string ToString() => GetType().Name;
}

using System.Data.Common;
using System.Text.Json;
using ClaimsService.Domain;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>A hospital cancels a whole settlement (national platform 2208/2305).</summary>
public sealed record ReversalCommand(string HospitalCode, string SettlementId, string InputsJson, string Caller, string? TraceId, DateTime Now)
{
    public string SettlementKey => Keys.Settlement(HospitalCode, SettlementId);
    public string ReversalKey => Keys.Reversal(HospitalCode, SettlementId);
}

public abstract record ReverseOutcome
{
    public sealed record NotFound : ReverseOutcome;
    public sealed record Created(AdjudicationRow Reversal, IReadOnlyList<AdjudicationRow> Adjustments) : ReverseOutcome;
    public sealed record Replayed(AdjudicationRow Reversal, IReadOnlyList<AdjudicationRow> Adjustments) : ReverseOutcome;
}

public sealed partial class SettlementStore
{
    private const string MarkReversedSql = "UPDATE adjudications SET reversed_by_id = @ReversalId WHERE id = @Id";

    /// <summary>
    /// Takes a settlement out of its person-year and re-prices the later ones in their original order, with
    /// their own parameter sets and categories, recording each difference as an adjustment. Idempotent.
    /// </summary>
    public Task<ReverseOutcome> ReverseAsync(ReversalCommand command, Func<string, ParameterSet> setById, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx, t) =>
        {
            if (await FindByKeyAsync(c, tx, command.SettlementKey, t) is not { } target)
                return (ReverseOutcome)new ReverseOutcome.NotFound();
            var ledger = await LockLedgerAsync(c, tx, target.RegionCode, target.InsuredId, target.PolicyYear, command.Now, t);
            var personYear = (await c.QueryAsync<AdjudicationRow>(new CommandDefinition(PersonYearSql,
                new { target.RegionCode, target.InsuredId, target.PolicyYear }, tx, cancellationToken: t))).AsList();
            if (await FindByKeyAsync(c, tx, command.ReversalKey, t) is { } done)
                return new ReverseOutcome.Replayed(done, personYear.Where(r => r.Kind == Kinds.Adjustment && r.RelatedId == done.Id).ToList());

            var stays = ActiveStays(personYear, setById);
            var (repriced, after) = Replay.Reprice(stays.Where(s => s.AdjudicationId != target.Id));
            var targetPayout = stays.Single(s => s.AdjudicationId == target.Id).CurrentPayout;

            var sequence = (long)ledger.Version;
            var eligible = Money.FromFen(ledger.EligibleToDateFen) - Money.FromFen(target.EligibleAmountFen);
            var paid = Money.FromFen(ledger.PaidToDateFen);
            var reversal = new AdjudicationRow
            {
                Id = Guid.CreateVersion7(command.Now).ToString(), IdempotencyKey = command.ReversalKey, Kind = Kinds.Reversal,
                HospitalCode = target.HospitalCode, SettlementId = target.SettlementId, RegionCode = target.RegionCode,
                InsuredId = target.InsuredId, PolicyYear = target.PolicyYear, Sequence = ++sequence,
                AdmissionDate = target.AdmissionDate, DischargeDate = target.DischargeDate, ReferredOutOfRegion = target.ReferredOutOfRegion,
                Category = target.Category, ParameterSetId = target.ParameterSetId, ParameterSetVersion = target.ParameterSetVersion,
                ParameterSetRegion = target.ParameterSetRegion, EligibleAmountFen = -target.EligibleAmountFen, DeductibleFen = target.DeductibleFen,
                EligibleBeforeFen = ledger.EligibleToDateFen, EligibleAfterFen = Money.ToFen(eligible),
                PaidBeforeFen = ledger.PaidToDateFen, PaidAfterFen = Money.ToFen(paid - targetPayout), PayoutFen = -Money.ToFen(targetPayout),
                RelatedId = target.Id, Trace = "[]", AdjudicatedAt = command.Now, BusinessDate = BusinessDay.Of(command.Now),
            };
            paid -= targetPayout;
            await c.ExecuteAsync(new CommandDefinition(InsertSql, reversal, tx, cancellationToken: t));
            await AuditStore.AppendAsync(c, tx, AuditOf(reversal, command.Caller, command.InputsJson, command.TraceId), t);

            var adjustments = new List<AdjudicationRow>();
            foreach (var r in repriced.Where(r => r.Difference != 0m))
            {
                var original = personYear.Single(p => p.Id == r.Stay.AdjudicationId);
                var adjustment = NewRow(Kinds.Adjustment, Keys.Adjustment(reversal.Id, original.Id), original.HospitalCode, original.SettlementId,
                    original.RegionCode, original.InsuredId, original.PolicyYear, ++sequence, r.Stay.Set, r.Pricing, command.Now);
                adjustment.AdmissionDate = original.AdmissionDate;
                adjustment.DischargeDate = original.DischargeDate;
                adjustment.ReferredOutOfRegion = original.ReferredOutOfRegion;
                adjustment.EligibleAmountFen = 0;
                adjustment.EligibleBeforeFen = adjustment.EligibleAfterFen = Money.ToFen(eligible);
                adjustment.PaidBeforeFen = Money.ToFen(paid);
                adjustment.PaidAfterFen = Money.ToFen(paid + r.Difference);
                adjustment.PayoutFen = Money.ToFen(r.Difference);
                adjustment.RelatedId = reversal.Id;
                paid += r.Difference;
                await c.ExecuteAsync(new CommandDefinition(InsertSql, adjustment, tx, cancellationToken: t));
                await AuditStore.AppendAsync(c, tx, AuditOf(adjustment, command.Caller, command.InputsJson, command.TraceId), t);
                adjustments.Add(adjustment);
            }

            if (paid != after.PaidToDate || eligible != after.EligibleToDate)
                throw new InvalidOperationException($"Reversal of {target.Id} does not balance: ledger {eligible}/{paid}, replay {after.EligibleToDate}/{after.PaidToDate}.");
            await c.ExecuteAsync(new CommandDefinition(MarkReversedSql, new { ReversalId = reversal.Id, target.Id }, tx, cancellationToken: t));
            await UpdateLedgerAsync(c, tx, reversal, eligible, paid, (int)sequence, command.Now, t);
            return new ReverseOutcome.Created(reversal, adjustments);
        }, ct);

    /// <summary>The settlements still in force, in their original order, each with its payout after adjustments.</summary>
    private static List<PricedStay> ActiveStays(IReadOnlyList<AdjudicationRow> personYear, Func<string, ParameterSet> setById)
    {
        var adjusted = personYear.Where(r => r.Kind == Kinds.Adjustment)
            .GroupBy(r => (r.HospitalCode, r.SettlementId))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.PayoutFen));
        return personYear
            .Where(r => r.Kind == Kinds.Settlement && r.ReversedById is null)
            .Select(r => new PricedStay(r.Id, Money.FromFen(r.EligibleAmountFen), setById(r.ParameterSetId), PersonCategories.Parse(r.Category),
                r.ReferredOutOfRegion, Money.FromFen(r.PayoutFen + adjusted.GetValueOrDefault((r.HospitalCode, r.SettlementId)))))
            .ToList();
    }
}

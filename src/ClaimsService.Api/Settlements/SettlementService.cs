using System.Diagnostics;
using System.Text.Json;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Parameters;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Settlements;

/// <summary>The outcome of a settlement or a preview, before it becomes an HTTP answer.</summary>
public abstract record Adjudicated
{
    public sealed record Settled(AdjudicationRow Row, bool Replayed) : Adjudicated;
    public sealed record Previewed(SettlementResponse Response) : Adjudicated;
    /// <summary>A business rejection (e.g. no parameters in force), audited.</summary>
    public sealed record Rejected(int Status, string Code, params object?[] Args) : Adjudicated;
}

/// <summary>
/// One settlement's data flow (architecture.md): resolve the parameter set from the cache, then, in one transaction,
/// read the person's categories from the registry and price against the locked ledger, with its audit entry.
/// </summary>
public sealed class SettlementService(ParameterSetCache parameters, SettlementStore settlements, AuditStore audit, TimeProvider time)
{
    public async Task<Adjudicated> SettleAsync(ValidSettlement request, Caller caller, CancellationToken ct)
    {
        var hospital = caller.HospitalCode!;
        var now = time.UtcNowStored();
        var (set, rejection) = await ResolveAsync(request, Kinds.Settlement, caller, now, ct);
        if (rejection is not null) return rejection;

        var command = new SettlementCommand(hospital, request.SettlementId, request.RegionCode, request.InsuredId, request.AdmissionDate,
            request.DischargeDate, request.ReferredOutOfRegion, request.EligibleAmount, request.Hash(), request.ToJson(), caller.AuditName,
            Activity.Current?.TraceId.ToString(), now);
        var outcome = await settlements.SettleAsync(command, (ytd, entries) => new PricedSettlement(set, Adjudicator.PriceMostFavourable(
            set, Resolution.CategoriesOn(entries, request.DischargeDate), request.ReferredOutOfRegion, ytd, request.EligibleAmount)), ct);
        return outcome switch
        {
            SettleOutcome.Created c => new Adjudicated.Settled(c.Row, Replayed: false),
            SettleOutcome.Replayed r => new Adjudicated.Settled(r.Row, Replayed: true),
            SettleOutcome.KeyReused => new Adjudicated.Rejected(422, ProblemCodes.IdempotencyKeyReused),
            SettleOutcome.InFlight => new Adjudicated.Rejected(409, ProblemCodes.SettlementInFlight),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>Prices the stay against the current ledger without touching it; only the audit log records it.</summary>
    public async Task<Adjudicated> PreviewAsync(ValidSettlement request, Caller caller, CancellationToken ct)
    {
        var now = time.UtcNowStored();
        var (set, rejection) = await ResolveAsync(request, Kinds.Preview, caller, now, ct);
        if (rejection is not null) return rejection;
        var year = Resolution.PolicyYear(request.DischargeDate);
        var (ledger, entries) = await settlements.PreviewReadsAsync(request.RegionCode, request.InsuredId, year, ct);
        var categories = Resolution.CategoriesOn(entries, request.DischargeDate);
        var ytd = ledger is null ? YearToDate.Empty : new YearToDate(Money.FromFen(ledger.EligibleToDateFen), Money.FromFen(ledger.PaidToDateFen));
        var pricing = Adjudicator.PriceMostFavourable(set, categories, request.ReferredOutOfRegion, ytd, request.EligibleAmount);
        var response = new SettlementResponse(Guid.CreateVersion7(now).ToString(), Kinds.Preview, request.SettlementId, caller.HospitalCode ?? "",
            request.RegionCode, request.InsuredId, year, pricing.Category.ToCode(), new ParameterSetRefContract(set.Id, set.Version, set.RegionCode),
            pricing.EligibleAmount, pricing.Evaluation.Deductible, pricing.Evaluation.CapApplied,
            new YearToDateContract(pricing.EligibleBefore, pricing.EligibleAfter, pricing.PaidBefore, pricing.PaidAfter),
            pricing.Payout, pricing.Evaluation.Trace, now);
        var entry = AuditEntry(request, Kinds.Preview, "accepted", null, caller, now);
        entry.AdjudicationId = response.AdjudicationId;
        entry.ParameterSetId = set.Id;
        entry.ParameterSetVersion = set.Version;
        entry.Category = response.Category;
        entry.Trace = JsonSerializer.Serialize(response.Trace, SettlementStore.Json);
        entry.Outputs = JsonSerializer.Serialize(response, SettlementStore.Json);
        await audit.AppendAsync(entry, ct);
        return new Adjudicated.Previewed(response);
    }

    /// <summary>The set in force, or a business rejection, audited.</summary>
    private async Task<(ParameterSet Set, Adjudicated.Rejected? Rejection)> ResolveAsync(
        ValidSettlement request, string kind, Caller caller, DateTime now, CancellationToken ct)
    {
        var set = parameters.InForce(request.RegionCode, request.DischargeDate);
        if (set is null)
        {
            var rejection = parameters.Knows(request.RegionCode)
                ? new Adjudicated.Rejected(422, ProblemCodes.NoParametersInForce, request.RegionCode, request.DischargeDate)
                : new Adjudicated.Rejected(422, ProblemCodes.UnknownRegion, request.RegionCode);
            await audit.AppendAsync(AuditEntry(request, kind, "rejected", rejection.Code, caller, now), ct);
            return (null!, rejection);
        }
        return (set, null);
    }

    private static AuditRow AuditEntry(ValidSettlement request, string kind, string outcome, string? code, Caller caller, DateTime now) => new()
    {
        Kind = kind, Outcome = outcome, Code = code, Caller = caller.AuditName, HospitalCode = caller.HospitalCode,
        SettlementId = request.SettlementId, RegionCode = request.RegionCode, Inputs = request.ToJson(),
        TraceId = Activity.Current?.TraceId.ToString(), RecordedAt = now,
    };
}

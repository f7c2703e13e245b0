using System.Diagnostics;
using System.Text.Json;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Parameters;
using ClaimsService.Data;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Settlements;

/// <summary>The one outcome of every adjudication (settle, preview, reverse), turned into HTTP in one place (<see cref="SettlementsApi"/>).</summary>
public abstract record AdjudicationOutcome
{
    /// <summary>What may reach a log (Polly logs a pipeline's result): never the insured person or a caller's settlement id.</summary>
    public sealed override string ToString() => this switch
    {
        Adjudicated a => $"{(a.Replayed ? "replayed" : "adjudicated")} {a.Row} with {a.Adjustments.Count} adjustments",
        Previewed p => $"previewed {p.Row}",
        Rejected r => $"rejected {r.Status} {r.Code}",
        _ => GetType().Name,
    };

    /// <summary>Written now (<paramref name="Replayed"/> false) or found under its idempotency key (true); a reversal carries its adjustments.</summary>
    public sealed record Adjudicated(Adjudication Row, IReadOnlyList<Adjudication> Adjustments, bool Replayed) : AdjudicationOutcome;
    /// <summary>Planned against an unlocked read and not written (only the audit entry is).</summary>
    public sealed record Previewed(Adjudication Row) : AdjudicationOutcome;
    /// <summary>A business rejection (no parameters in force, reused key, unknown settlement, …).</summary>
    public sealed record Rejected(int Status, string Code, params object?[] Args) : AdjudicationOutcome;
}

/// <summary>
/// The application service of adjudication (style.md 13; architecture.md "Data flow of one settlement"): resolve the set
/// in force from the cache, then in one unit of work lock and read the person-year, let the domain plan the command, append
/// the plan and commit. The store only runs SQL; the domain decides.
/// </summary>
public sealed class SettlementService(ParameterSetCache parameters, SettlementStore settlements, AuditStore audit, Db db, TimeProvider time,
    CommitPipeline pipeline)
{
    public async Task<AdjudicationOutcome> SettleAsync(ValidSettlement request, Caller caller, CancellationToken ct)
    {
        var hospital = caller.HospitalCode!;
        var now = time.UtcNowStored();
        var (placement, rejection) = await PlaceAsync(request, Kinds.Settlement, caller, now, ct);
        if (placement is null) return rejection!;

        var key = new PersonYearKey(request.RegionCode, request.InsuredId, placement.PolicyYear);
        var stay = new NewStay(hospital, request.SettlementId, request.AdmissionDate, request.DischargeDate, request.Hash(), request.National);
        var context = new AuditContext(caller.AuditName, request.ToJson(), Activity.Current?.TraceId.ToString());
        var command = new SettleCommand(key, request, placement, stay, context, now);
        try
        {
            var outcome = await RunAsync(command, ct);
            // The platform's msgid is new for every message: a retry under another one replays, and its msgid is audited.
            if (outcome is AdjudicationOutcome.Adjudicated { Replayed: true } replay && request.National?.Msgid is { } msgid
                && msgid != replay.Row.National?.Msgid)
            {
                var entry = AuditEntry(request, Kinds.Settlement, "replayed", null, caller, now);
                entry.AdjudicationId = replay.Row.Id;
                await AppendAuditAsync(entry, ct);
            }
            return outcome;
        }
        catch (Exception e) when (settlements.IsDuplicateKey(e))
        {
            // The same key settled at once for another person-year (a reused key): the unique constraint decided.
            var existing = await settlements.FindSettlementAsync(hospital, request.SettlementId, ct);
            return existing is null
                ? new AdjudicationOutcome.Rejected(409, ProblemCodes.SettlementInFlight)
                : Repeat(existing, stay.RequestHash);
        }
    }

    /// <summary>
    /// Through the commit pipeline when batching is on; otherwise in a transaction of its own, committed when it wrote.
    /// Idempotent by key and read-before-write: safe for the pipeline to run again after a transient failure.
    /// </summary>
    private Task<AdjudicationOutcome> RunAsync(SettlementCommand command, CancellationToken ct) => pipeline.Enabled
        ? pipeline.RunAsync(command, ct)
        : db.RunAsync(async t =>
        {
            await using var work = await settlements.BeginAsync(t);
            var outcome = await command.RunAsync(work, t);
            if (SettlementCommand.Wrote(outcome)) await work.CommitAsync(t);
            return outcome;
        }, ct);

    /// <summary>An audit entry with no other effect: in the next audit batch, or in a transaction of its own.</summary>
    private Task AppendAuditAsync(AuditRow entry, CancellationToken ct) =>
        pipeline.Enabled ? pipeline.AppendAuditAsync(entry, ct) : audit.AppendAsync(entry, ct);

    /// <summary>Plans the stay against the current ledger without touching it; only the audit log records it.</summary>
    public async Task<AdjudicationOutcome> PreviewAsync(ValidSettlement request, Caller caller, CancellationToken ct)
    {
        var now = time.UtcNowStored();
        var (placement, rejection) = await PlaceAsync(request, Kinds.Preview, caller, now, ct);
        if (placement is null) return rejection!;
        var command = new PreviewCommand(new PersonYearKey(request.RegionCode, request.InsuredId, placement.PolicyYear), request, placement,
            caller.HospitalCode, AuditEntry(request, Kinds.Preview, "accepted", null, caller, now), now);
        if (pipeline.Enabled) return await pipeline.PreviewAsync(command, ct);

        var (personYear, registry) = await settlements.ReadAsync(command.Key, ct);
        var (outcome, entry) = command.Plan(personYear, registry);
        await audit.AppendAsync(entry, ct);
        return outcome;
    }

    /// <summary>
    /// Reverses a settlement: the domain takes it out and re-prices the later stays with their own sets and the most
    /// favourable of their candidates; each difference is an adjustment. Idempotent by the reversal's key.
    /// </summary>
    public Task<AdjudicationOutcome> ReverseAsync(string settlementId, string reason, Caller caller, CancellationToken ct)
    {
        var context = new AuditContext(caller.AuditName, JsonSerializer.Serialize(new { settlementId, reason }, SettlementStore.Json),
            Activity.Current?.TraceId.ToString());
        return RunAsync(new ReverseCommand(caller.HospitalCode!, settlementId, context, time.UtcNowStored()), ct);
    }

    /// <summary>
    /// 冲正 (api.md "Settlements", void; the platform's 2601) for a hospital that does not know whether its settlement arrived:
    /// one that did is reversed (the reversal's answer); one that did not gets a tombstone under its key, so a late original is
    /// refused with settlement_voided. The same void again replays. The unique key decides a race with a late original.
    /// </summary>
    public async Task<AdjudicationOutcome> VoidAsync(string settlementId, string reason, string? regionCode, Caller caller, CancellationToken ct)
    {
        var hospital = caller.HospitalCode!;
        for (var attempt = 0; ; attempt++)
        {
            switch (await settlements.FindSettlementAsync(hospital, settlementId, ct))
            {
                case { Kind: Kinds.Void } tombstone:
                    return new AdjudicationOutcome.Adjudicated(tombstone, [], Replayed: true);
                case not null:
                    return await ReverseAsync(settlementId, reason, caller, ct);
            }
            var now = time.UtcNowStored();
            var context = new AuditContext(caller.AuditName, JsonSerializer.Serialize(new { settlementId, reason, regionCode, voided = true }, SettlementStore.Json),
                Activity.Current?.TraceId.ToString());
            try
            {
                return new AdjudicationOutcome.Adjudicated(await settlements.RecordVoidAsync(hospital, settlementId, regionCode, context, now, ct), [], Replayed: false);
            }
            catch (Exception e) when (settlements.IsDuplicateKey(e) && attempt == 0)
            {
                // The original (or another void) took the key meanwhile: answer as for it.
            }
        }
    }

    public static AdjudicationOutcome.Rejected Voided(Adjudication tombstone) =>
        new(409, ProblemCodes.SettlementVoided, tombstone.SettlementId, tombstone.AdjudicatedAt);

    public static AdjudicationOutcome.Rejected NotFound(string settlementId) =>
        new(404, ProblemCodes.SettlementNotFound, settlementId);

    internal static AdjudicationOutcome Repeat(Adjudication existing, string requestHash) =>
        existing.Kind == Kinds.Void ? Voided(existing) : existing.RequestHash == requestHash
        ? new AdjudicationOutcome.Adjudicated(existing, [], Replayed: true)
        : new AdjudicationOutcome.Rejected(422, ProblemCodes.IdempotencyKeyReused);

    /// <summary>The set the stay is priced with and its policy year (api.md "policyYearBy"), or a business rejection, audited.</summary>
    private async Task<(Placement? Placement, AdjudicationOutcome.Rejected? Rejection)> PlaceAsync(
        ValidSettlement request, string kind, Caller caller, DateTime now, CancellationToken ct)
    {
        if (Resolution.Place(date => parameters.InForce(request.RegionCode, date), request.AdmissionDate, request.DischargeDate) is { } placement)
            return (placement, null);
        // With policyYearBy admission, the set in force on the discharge date sends the stay to its admission date.
        var decidingDate = parameters.InForce(request.RegionCode, request.DischargeDate) is { PolicyYearBy: PolicyYearBy.Admission }
            ? request.AdmissionDate : request.DischargeDate;
        var rejection = parameters.Knows(request.RegionCode)
            ? new AdjudicationOutcome.Rejected(422, ProblemCodes.NoParametersInForce, request.RegionCode, decidingDate)
            : new AdjudicationOutcome.Rejected(422, ProblemCodes.UnknownRegion, request.RegionCode);
        await AppendAuditAsync(AuditEntry(request, kind, "rejected", rejection.Code, caller, now), ct);
        return (null, rejection);
    }

    private static AuditRow AuditEntry(ValidSettlement request, string kind, string outcome, string? code, Caller caller, DateTime now) => new()
    {
        Kind = kind, Outcome = outcome, Code = code, Caller = caller.AuditName, HospitalCode = caller.HospitalCode,
        SettlementId = request.SettlementId, RegionCode = request.RegionCode, Inputs = request.ToJson(),
        TraceId = Activity.Current?.TraceId.ToString(), RecordedAt = now,
    };
}

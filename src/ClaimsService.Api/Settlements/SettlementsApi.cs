using System.Diagnostics;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Parameters;
using ClaimsService.Api.Telemetry;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Settlements;

/// <summary>Discharge settlement for designated hospitals: settle, preview, read, reverse.</summary>
public static class SettlementsApi
{
    public const string ReplayHeader = "Idempotent-Replayed";

    public static IEndpointRouteBuilder MapSettlementsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/settlements").WithTags("Settlements")
            .RequireAuthorization(p => p.RequireRole(Roles.Hospital).RequireClaim(Caller.HospitalClaim))
            .WithStandardProblems()
            .AddEndpointFilter<AdjudicationTelemetry>();
        group.MapPost("/", Settle).WithName("Settle")
            .WithSummary("Settle a discharge: 201 the first time, 200 with Idempotent-Replayed: true for the same body again.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/preview", Preview).WithName("PreviewSettlement").WithSummary("Price a discharge without touching the ledger.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{settlementId}", Get).WithName("GetSettlement").WithSummary("Read one of the caller's settlements.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{settlementId}/reversal", Reverse).WithName("ReverseSettlement")
            .WithSummary("Reverse a settlement; later settlements of the person-year are re-priced as adjustments.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Created<SettlementResponse>, Ok<SettlementResponse>, ValidationProblem, ProblemHttpResult>> Settle(
        SettlementRequest request, SettlementService service, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var (valid, errors) = request.Validate(BusinessDay.Of(time.GetUtcNow().UtcDateTime));
        if (valid is null) return Problems.Validation(errors.ToDictionary());
        switch (await service.SettleAsync(valid, Caller.From(http.User), ct))
        {
            case Adjudicated.Settled { Replayed: true } s:
                http.Response.Headers[ReplayHeader] = "true";
                return TypedResults.Ok(SettlementResponse.From(s.Row));
            case Adjudicated.Settled s:
                return TypedResults.Created($"/v1/settlements/{Uri.EscapeDataString(s.Row.SettlementId)}", SettlementResponse.From(s.Row));
            case Adjudicated.Rejected r:
                return Problems.Of(r.Status, r.Code, r.Args);
            default:
                throw new UnreachableException();
        }
    }

    public static async Task<Results<Ok<SettlementResponse>, ValidationProblem, ProblemHttpResult>> Preview(
        SettlementRequest request, SettlementService service, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var (valid, errors) = request.Validate(BusinessDay.Of(time.GetUtcNow().UtcDateTime));
        if (valid is null) return Problems.Validation(errors.ToDictionary());
        return await service.PreviewAsync(valid, Caller.From(http.User), ct) switch
        {
            Adjudicated.Previewed p => TypedResults.Ok(p.Response),
            Adjudicated.Rejected r => Problems.Of(r.Status, r.Code, r.Args),
            _ => throw new UnreachableException(),
        };
    }

    public static async Task<Results<Ok<SettlementResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string settlementId, SettlementStore store, HttpContext http, CancellationToken ct)
    {
        var e = new FieldErrors();
        e.SettlementId("settlementId", settlementId);
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var (settlement, _) = await store.FindAsync(Caller.From(http.User).HospitalCode!, settlementId, ct);
        return settlement is null ? NotFound(settlementId) : TypedResults.Ok(SettlementResponse.From(settlement));
    }

    public static async Task<Results<Created<SettlementResponse>, Ok<SettlementResponse>, ValidationProblem, ProblemHttpResult>> Reverse(
        string settlementId, ReversalRequest request, SettlementStore store, ParameterSetCache cache, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        if (request.Validate(settlementId) is { Any: true } errors) return Problems.Validation(errors.ToDictionary());
        var caller = Caller.From(http.User);
        var inputs = System.Text.Json.JsonSerializer.Serialize(new { settlementId, reason = request.Reason }, SettlementStore.Json);
        var command = new ReversalCommand(caller.HospitalCode!, settlementId, inputs, caller.AuditName, Activity.Current?.TraceId.ToString(),
            time.UtcNowStored());
        var outcome = await store.ReverseAsync(command, id => cache.ById(id) ?? throw new InvalidOperationException($"Parameter set {id} is not loaded."), ct);
        switch (outcome)
        {
            case ReverseOutcome.Created c:
                return TypedResults.Created($"/v1/settlements/{Uri.EscapeDataString(settlementId)}", WithAdjustments(c.Reversal, c.Adjustments));
            case ReverseOutcome.Replayed r:
                http.Response.Headers[ReplayHeader] = "true";
                return TypedResults.Ok(WithAdjustments(r.Reversal, r.Adjustments));
            default:
                return NotFound(settlementId);
        }
    }

    private static SettlementResponse WithAdjustments(AdjudicationRow reversal, IReadOnlyList<AdjudicationRow> adjustments) =>
        SettlementResponse.From(reversal) with { Adjustments = adjustments.Select(SettlementResponse.From).ToList() };

    private static ProblemHttpResult NotFound(string settlementId) =>
        Problems.Of(404, ProblemCodes.SettlementNotFound, settlementId);
}

using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Telemetry;
using ClaimsService.Data.Stores;
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
        group.MapPost("/", Settle).WithName("Settle").WithMetadata(new AdjudicationKind(Kinds.Settlement))
            .WithSummary("Settle a discharge: 201 the first time, 200 with Idempotent-Replayed: true for the same body again.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/preview", Preview).WithName("PreviewSettlement").WithMetadata(new AdjudicationKind(Kinds.Preview))
            .WithSummary("Price a discharge without touching the ledger.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{settlementId}", Get).WithName("GetSettlement").WithSummary("Read one of the caller's settlements.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{settlementId}/reversal", Reverse).WithName("ReverseSettlement").WithMetadata(new AdjudicationKind(Kinds.Reversal))
            .WithSummary("Reverse a settlement; later settlements of the person-year are re-priced as adjustments.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{settlementId}/void", Void).WithName("VoidSettlement").WithMetadata(new AdjudicationKind(Kinds.Void))
            .WithSummary("冲正: reverse the settlement if it arrived (the reversal's answer), else record a tombstone (201, kind void, payout 0) that refuses it later; the same void again replays.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{settlementId}/explanation", Explain).WithName("ExplainSettlement")
            .WithSummary("The calculation of one of the caller's settlements in Chinese, as the 结算单 prints it (text/plain).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Created<SettlementResponse>, Ok<SettlementResponse>, ValidationProblem, ProblemHttpResult>> Void(
        string settlementId, VoidRequest request, SettlementService service, HttpContext http, CancellationToken ct)
    {
        if (request.Validate(settlementId) is { Any: true } errors) return Problems.Validation(errors.ToDictionary());
        return ToHttp(await service.VoidAsync(settlementId, request.Reason!, request.RegionCode, Caller.From(http.User), ct), http).Result switch
        {
            Created<SettlementResponse> created => created,
            Ok<SettlementResponse> ok => ok,
            var problem => (ProblemHttpResult)problem,
        };
    }

    public static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> Explain(
        string settlementId, SettlementStore store, Parameters.ParameterSetCache parameters, HttpContext http, CancellationToken ct)
    {
        var e = new FieldErrors();
        e.SettlementId("settlementId", settlementId);
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var settlement = await store.FindSettlementAsync(Caller.From(http.User).HospitalCode!, settlementId, ct);
        if (settlement is null) return (ProblemHttpResult)ToHttp(SettlementService.NotFound(settlementId), http).Result;
        return TypedResults.Text(Explanation.Of(settlement, parameters.ById(settlement.ParameterSetId)), "text/plain; charset=utf-8");
    }

    public static async Task<Results<Created<SettlementResponse>, Ok<SettlementResponse>, ValidationProblem, ProblemHttpResult>> Settle(
        SettlementRequest request, SettlementService service, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var (valid, errors) = request.Validate(BusinessDay.Of(time.GetUtcNow().UtcDateTime));
        if (valid is null) return Problems.Validation(errors.ToDictionary());
        return ToHttp(await service.SettleAsync(valid, Caller.From(http.User), ct), http).Result switch
        {
            Created<SettlementResponse> created => created,
            Ok<SettlementResponse> ok => ok,
            var problem => (ProblemHttpResult)problem,
        };
    }

    public static async Task<Results<Ok<SettlementResponse>, ValidationProblem, ProblemHttpResult>> Preview(
        SettlementRequest request, SettlementService service, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var (valid, errors) = request.Validate(BusinessDay.Of(time.GetUtcNow().UtcDateTime));
        if (valid is null) return Problems.Validation(errors.ToDictionary());
        return ToHttp(await service.PreviewAsync(valid, Caller.From(http.User), ct), http).Result switch
        {
            Ok<SettlementResponse> ok => ok,
            var problem => (ProblemHttpResult)problem,
        };
    }

    public static async Task<Results<Ok<SettlementResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string settlementId, SettlementStore store, HttpContext http, CancellationToken ct)
    {
        var e = new FieldErrors();
        e.SettlementId("settlementId", settlementId);
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var settlement = await store.FindSettlementAsync(Caller.From(http.User).HospitalCode!, settlementId, ct);
        return settlement is null
            ? (ProblemHttpResult)ToHttp(SettlementService.NotFound(settlementId), http).Result
            : TypedResults.Ok(SettlementResponse.From(settlement));
    }

    public static async Task<Results<Created<SettlementResponse>, Ok<SettlementResponse>, ValidationProblem, ProblemHttpResult>> Reverse(
        string settlementId, ReversalRequest request, SettlementService service, HttpContext http, CancellationToken ct)
    {
        if (request.Validate(settlementId) is { Any: true } errors) return Problems.Validation(errors.ToDictionary());
        return ToHttp(await service.ReverseAsync(settlementId, request.Reason!, Caller.From(http.User), ct), http).Result switch
        {
            Created<SettlementResponse> created => created,
            Ok<SettlementResponse> ok => ok,
            var problem => (ProblemHttpResult)problem,
        };
    }

    /// <summary>The one place an adjudication's outcome becomes HTTP: 201 written, 200 replayed (with the header) or previewed, a problem otherwise.</summary>
    private static Results<Created<SettlementResponse>, Ok<SettlementResponse>, ProblemHttpResult> ToHttp(AdjudicationOutcome outcome, HttpContext http)
    {
        switch (outcome)
        {
            case AdjudicationOutcome.Adjudicated { Replayed: true } a:
                http.Response.Headers[ReplayHeader] = "true";
                return TypedResults.Ok(Response(a));
            case AdjudicationOutcome.Adjudicated a:
                return TypedResults.Created($"/v1/settlements/{Uri.EscapeDataString(a.Row.SettlementId)}", Response(a));
            case AdjudicationOutcome.Previewed p:
                return TypedResults.Ok(SettlementResponse.From(p.Row));
            case AdjudicationOutcome.Rejected r:
                return Problems.Of(r.Status, r.Code, r.Args);
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome));
        }
    }

    // A reversal answers with the adjustments it caused; a settlement has none.
    private static SettlementResponse Response(AdjudicationOutcome.Adjudicated a) => a.Row.Kind == Kinds.Reversal
        ? SettlementResponse.From(a.Row) with { Adjustments = a.Adjustments.Select(SettlementResponse.From).ToList() }
        : SettlementResponse.From(a.Row);
}

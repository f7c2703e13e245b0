using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Settlements;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Ledgers;

public sealed record LedgerResponse(string RegionCode, string InsuredId, int PolicyYear, decimal EligibleToDate, decimal PaidToDate,
    IReadOnlyList<SettlementResponse> Entries);

/// <summary>The person-year asked for in a body, so the resident ID stays out of URLs and access logs (PIPL).</summary>
public sealed record LedgerQuery(string? RegionCode, string? InsuredId, int? PolicyYear);

/// <summary>The person-year ledger: what has been counted and paid so far, and every adjudication behind it.</summary>
public static class LedgersApi
{
    public static IEndpointRouteBuilder MapLedgersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/ledgers").WithTags("Ledgers").RequireAuthorization(p => p.RequireRole(Roles.Hospital, Roles.Ops))
            .WithStandardProblems();
        group.MapGet("/{regionCode}/{insuredId}/{policyYear:int}", Get).WithName("GetLedger")
            .WithSummary("A person-year's eligible and paid to date, with its entries in order.");
        group.MapPost("/query", Query).WithName("QueryLedger")
            .WithSummary("The same ledger, asked for in the body so the resident ID stays out of URLs and access logs.");
        return app;
    }

    public static Task<Results<Ok<LedgerResponse>, ValidationProblem>> Get(
        string regionCode, string insuredId, int policyYear, SettlementStore store, CancellationToken ct) =>
        AnswerAsync(regionCode, insuredId, policyYear, store, ct);

    public static Task<Results<Ok<LedgerResponse>, ValidationProblem>> Query(LedgerQuery query, SettlementStore store, CancellationToken ct) =>
        AnswerAsync(query.RegionCode, query.InsuredId, query.PolicyYear, store, ct);

    private static async Task<Results<Ok<LedgerResponse>, ValidationProblem>> AnswerAsync(
        string? regionCode, string? insuredId, int? policyYear, SettlementStore store, CancellationToken ct)
    {
        var e = new FieldErrors();
        var region = e.RegionCode("regionCode", regionCode);
        var insured = e.ResidentId("insuredId", insuredId);
        var year = e.Required("policyYear", policyYear);
        if (policyYear is < 2000 or > 2100) e.Add("policyYear", "A year between 2000 and 2100.");
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var (ledger, entries) = await store.LedgerAsync(region, insured, year, ct);
        return TypedResults.Ok(new LedgerResponse(region, insured, year, ledger.EligibleToDate, ledger.PaidToDate,
            entries.Select(SettlementResponse.From).ToList()));
    }
}

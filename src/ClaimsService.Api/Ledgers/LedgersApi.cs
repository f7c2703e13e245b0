using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Settlements;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Ledgers;

public sealed record LedgerResponse(string RegionCode, string InsuredId, int PolicyYear, decimal EligibleToDate, decimal PaidToDate,
    IReadOnlyList<SettlementResponse> Entries);

/// <summary>The person-year ledger: what has been counted and paid so far, and every adjudication behind it.</summary>
public static class LedgersApi
{
    public static IEndpointRouteBuilder MapLedgersApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/ledgers").WithTags("Ledgers").RequireAuthorization(p => p.RequireRole(Roles.Hospital, Roles.Ops)).WithStandardProblems()
            .MapGet("/{regionCode}/{insuredId}/{policyYear:int}", Get).WithName("GetLedger")
            .WithSummary("A person-year's eligible and paid to date, with its entries in order.");
        return app;
    }

    public static async Task<Results<Ok<LedgerResponse>, ValidationProblem>> Get(
        string regionCode, string insuredId, int policyYear, SettlementStore store, CancellationToken ct)
    {
        var e = new FieldErrors();
        e.RegionCode("regionCode", regionCode);
        var insured = e.ResidentId("insuredId", insuredId);
        if (policyYear is < 2000 or > 2100) e.Add("policyYear", "A year between 2000 and 2100.");
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var (ledger, entries) = await store.LedgerAsync(regionCode, insured, policyYear, ct);
        return TypedResults.Ok(new LedgerResponse(regionCode, insured, policyYear, ledger.EligibleToDate, ledger.PaidToDate,
            entries.Select(SettlementResponse.From).ToList()));
    }
}

using ClaimsService.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Ops;

/// <summary>What the dashboard reads: one summary of the service's state (ops and admin keys).</summary>
public static class OpsApi
{
    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/ops").WithTags("Ops").RequireAuthorization(p => p.RequireRole(Roles.Ops, Roles.Admin)).WithStandardProblems()
            .MapGet("/summary", Summary).WithName("OpsSummary")
            .WithSummary("Adjudications per minute, latency percentiles, today's payouts by region, database and breaker state, parameter sets in force, recent reconciliations.");
        return app;
    }

    public static async Task<Ok<OpsSummary>> Summary(OpsSummaryBuilder summary, HttpContext http, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await summary.BuildAsync(ct));
    }
}

using System.ComponentModel;
using ClaimsService.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Ops;

/// <summary>What the dashboard reads: one summary of the fleet's state (ops and admin keys).</summary>
public static class OpsApi
{
    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/ops").WithTags("Ops").RequireAuthorization(p => p.RequireRole(Roles.Ops, Roles.Admin)).WithStandardProblems()
            .MapGet("/summary", Summary).WithName("OpsSummary")
            .WithSummary("Adjudications per minute, latency percentiles and request outcomes of every instance, payouts of the period by region and " +
                "category, rejections by code and hospital, database and breaker state, parameter sets in force, recent reconciliations.");
        return app;
    }

    public static async Task<Results<Ok<OpsSummary>, ValidationProblem>> Summary(OpsSummaryBuilder summary, HttpContext http,
        [Description("today (default), month (month to date) or year (policy year to date); business days in UTC+8.")] string? period,
        CancellationToken ct)
    {
        if (OpsPeriod.Parse(period) is not { } valid)
            return Problems.Validation("period", $"One of {string.Join(", ", OpsPeriod.All)}.");
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await summary.BuildAsync(valid, ct));
    }
}

using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Parameters;

/// <summary>Parameter sets of the pooling regions (admin publishes; every role may read).</summary>
public static class ParametersApi
{
    public static IEndpointRouteBuilder MapParametersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/parameter-sets").WithTags("Parameter sets").RequireAuthorization()
            .WithStandardProblems();
        group.MapPost("/", Publish).WithName("PublishParameterSet").WithSummary("Publish a new version of a region's parameters.")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin));
        group.MapGet("/", List).WithName("ListParameterSets").WithSummary("List parameter sets; with onDate, the sets in force on that date.");
        group.MapGet("/{id}", Get).WithName("GetParameterSet").WithSummary("Read one parameter set.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Created<ParameterSetResponse>, ValidationProblem>> Publish(
        ParameterSetRequest request, ParameterSetStore store, ParameterSetCache cache, CategoryStore categories, TimeProvider time, HttpContext http,
        CancellationToken ct)
    {
        var (set, errors) = request.ToDomain(Guid.CreateVersion7().ToString(), time.UtcNowStored(), await categories.CodesAsync(ct));
        if (set is null) return Problems.Validation(errors.ToDictionary());
        var stored = await store.PublishAsync(set, Caller.From(http.User).AuditName, ct);
        await cache.RefreshAsync(ct, force: true);
        // api.md "Re-adjudication runs": a backdated set reaches settled stays only through a run; say how many it touches.
        var affected = await store.AffectedPersonYearsAsync(stored.RegionCode, stored.EffectiveFrom, ct);
        return TypedResults.Created($"/v1/parameter-sets/{stored.Id}", ParameterSetResponse.From(stored) with { AffectedPersonYears = affected });
    }

    public static Results<Ok<List<ParameterSetResponse>>, ValidationProblem> List(string? regionCode, IsoDate? onDate, ParameterSetCache cache)
    {
        if (regionCode is not null && !Identifiers.IsRegionCode(regionCode))
            return Problems.Validation("regionCode", "A 6-digit administrative division code.");
        if (onDate?.Value is { } date)
        {
            var regions = regionCode is null ? cache.All.Select(s => s.RegionCode).Distinct() : [regionCode];
            return TypedResults.Ok(regions.Select(r => cache.InForce(r, date)).OfType<Domain.ParameterSet>()
                .DistinctBy(s => s.Id).OrderBy(s => s.RegionCode).Select(ParameterSetResponse.From).ToList());
        }
        return TypedResults.Ok(cache.All.Where(s => regionCode is null || s.RegionCode == regionCode)
            .OrderBy(s => s.RegionCode).ThenBy(s => s.Version).Select(ParameterSetResponse.From).ToList());
    }

    public static Results<Ok<ParameterSetResponse>, ProblemHttpResult> Get(string id, ParameterSetCache cache) =>
        cache.ById(id) is { } set
            ? TypedResults.Ok(ParameterSetResponse.From(set))
            : Problems.Of(404, ProblemCodes.ParameterSetNotFound);
}

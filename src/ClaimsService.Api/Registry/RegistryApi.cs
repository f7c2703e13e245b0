using System.ComponentModel.DataAnnotations;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Registry;

public sealed record RegistryEntryRequest
{
    [Required] public string? InsuredId { get; init; }
    [Required] public string? RegionCode { get; init; }
    /// <summary>A catalogued category code (/v1/categories): general, registered_poor, poverty_monitored, marginal, extreme_poverty, subsistence, or one added.</summary>
    [Required] public string? Category { get; init; }
    /// <summary>First day in the category (inclusive).</summary>
    [Required] public DateOnly? ValidFrom { get; init; }
    /// <summary>Last day in the category (inclusive); null = open.</summary>
    public DateOnly? ValidTo { get; init; }
    /// <summary>Where the entry comes from (e.g. the registry batch).</summary>
    public string? Source { get; init; }
}

public sealed record RegistryBatchResponse(int Recorded);

/// <summary>The registry of person categories: a person's category comes from here, never from the hospital.</summary>
public static class RegistryApi
{
    public const int MaxBatch = 5_000;

    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/registry").WithTags("Registry").RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithStandardProblems();
        group.MapPost("/entries", AddEntries).WithName("AddRegistryEntries").WithSummary("Record person categories in bulk (all or none).");
        return app;
    }

    public static async Task<Results<Created<RegistryBatchResponse>, ValidationProblem>> AddEntries(
        List<RegistryEntryRequest?> entries, RegistryStore store, CategoryStore categories, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var catalogue = await categories.CodesAsync(ct);
        var e = new FieldErrors();
        if (entries.Count == 0) e.Add("body", "At least one entry.");
        if (entries.Count > MaxBatch) e.Add("body", $"At most {MaxBatch} entries per call.");
        var valid = new List<RegistryEntry>(entries.Count);
        for (var i = 0; i < entries.Count && !(entries.Count > MaxBatch); i++)
        {
            var entry = entries[i];
            if (entry is null)
            {
                e.Add($"[{i}]", "Required.");
                continue;
            }
            var insured = e.ResidentId($"[{i}].insuredId", entry.InsuredId);
            var region = e.RegionCode($"[{i}].regionCode", entry.RegionCode);
            if (!PersonCategories.TryParseCatalogued(entry.Category, catalogue, out var category))
                e.Add($"[{i}].category", $"A catalogued category, one of {string.Join(", ", catalogue)} (see /v1/categories).");
            var from = e.Required($"[{i}].validFrom", entry.ValidFrom);
            if (entry.ValidTo is { } to && to < from) e.Add($"[{i}].validTo", "Must not be before validFrom.");
            e.Text($"[{i}].source", entry.Source, 200);
            valid.Add(new RegistryEntry(insured, region, category, from, entry.ValidTo, entry.Source));
        }
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var recorded = await store.AddAsync(valid, Caller.From(http.User).AuditName, time.UtcNowStored(), ct);
        return TypedResults.Created("/v1/registry/entries", new RegistryBatchResponse(recorded));
    }
}

using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Registry;

/// <summary>
/// The registry of person categories: a person's category comes from here, never from the hospital. Entries are never
/// deleted; they end or are retracted and keep their history (rules.md "Changes after the fact"). Every change answers
/// how many settled person-years it touches: those change only through a re-adjudication run.
/// </summary>
public static class RegistryApi
{
    public const int MaxBatch = 5_000;
    public const int ReasonMaxLength = 200;

    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/registry").WithTags("Registry").RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithStandardProblems();
        group.MapPost("/entries", AddEntries).WithName("AddRegistryEntries")
            .WithSummary("Record person categories in bulk (all or none); an entry equal to an active one is unchanged.");
        group.MapGet("/entries", ListEntries).WithName("ListRegistryEntries").WithSummary("A person's entries with their history.");
        group.MapPost("/entries/{id}/end", EndEntry).WithName("EndRegistryEntry")
            .WithSummary("End an entry: the person leaves the category after validTo.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/entries/{id}/retraction", RetractEntry).WithName("RetractRegistryEntry")
            .WithSummary("Retract an entry recorded in error: from then on it never applied.")
            .ProducesProblem(StatusCodes.Status404NotFound);
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
            if (entries[i] is not { } entry)
            {
                e.Add($"[{i}]", "Required.");
                continue;
            }
            valid.Add(RegistryEntryRules.Check(e, $"[{i}].", catalogue, entry.InsuredId, entry.RegionCode, entry.Category, entry.ValidFrom, entry.ValidTo, entry.Source));
        }
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var outcome = await store.AddAsync(valid, Caller.From(http.User).AuditName, time.UtcNowStored(), ct);
        return TypedResults.Created("/v1/registry/entries", new RegistryBatchResponse(outcome.Recorded, outcome.Unchanged, outcome.AffectedPersonYears));
    }

    public static async Task<Results<Ok<RegistryEntriesResponse>, ValidationProblem>> ListEntries(
        string? insuredId, string? regionCode, RegistryStore store, CancellationToken ct)
    {
        var e = new FieldErrors();
        var insured = e.ResidentId("insuredId", insuredId);
        if (regionCode is not null) e.RegionCode("regionCode", regionCode);
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var entries = await store.ForInsuredAsync(insured, regionCode, ct);
        return TypedResults.Ok(new RegistryEntriesResponse(entries.Select(RegistryEntryResponse.From).ToList()));
    }

    public static async Task<Results<Ok<RegistryChangeResponse>, ValidationProblem, ProblemHttpResult>> EndEntry(
        string id, EndRegistryEntryRequest request, RegistryStore store, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var e = new FieldErrors();
        var validTo = e.Required("validTo", request.ValidTo);
        var reason = e.Text("reason", request.Reason, ReasonMaxLength);
        if (e.Any) return Problems.Validation(e.ToDictionary());
        if (!TryParseId(id, out var entryId)) return NotFound();
        return await store.EndAsync(entryId, validTo, reason, Caller.From(http.User).AuditName, time.UtcNowStored(), ct) switch
        {
            RegistryChangeOutcome.Changed c => TypedResults.Ok(RegistryChangeResponse.From(c)),
            RegistryChangeOutcome.BeforeValidFrom b => Problems.Validation("validTo", $"Must not be before validFrom ({b.Entry.ValidFrom:yyyy-MM-dd})."),
            RegistryChangeOutcome.Retracted => Problems.Of(409, ProblemCodes.RegistryEntryRetracted),
            _ => NotFound(),
        };
    }

    public static async Task<Results<Ok<RegistryChangeResponse>, ValidationProblem, ProblemHttpResult>> RetractEntry(
        string id, RetractRegistryEntryRequest request, RegistryStore store, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var e = new FieldErrors();
        var reason = e.Required("reason", request.Reason, ReasonMaxLength);
        if (e.Any) return Problems.Validation(e.ToDictionary());
        if (!TryParseId(id, out var entryId)) return NotFound();
        return await store.RetractAsync(entryId, reason, Caller.From(http.User).AuditName, time.UtcNowStored(), ct) switch
        {
            RegistryChangeOutcome.Changed c => TypedResults.Ok(RegistryChangeResponse.From(c)),
            _ => NotFound(),
        };
    }

    // Entry ids are positive integers; anything else names no entry.
    private static bool TryParseId(string id, out long value) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value > 0;

    private static ProblemHttpResult NotFound() => Problems.Of(404, ProblemCodes.RegistryEntryNotFound);
}

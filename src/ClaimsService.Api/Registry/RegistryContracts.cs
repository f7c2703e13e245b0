using System.ComponentModel.DataAnnotations;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

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

/// <summary>What a batch did. <c>affectedPersonYears</c>: person-years with settled stays discharged inside the recorded entries' dates.</summary>
public sealed record RegistryBatchResponse(int Recorded, int Unchanged, int AffectedPersonYears);

public sealed record EndRegistryEntryRequest
{
    /// <summary>The entry's new last day (inclusive), not before its validFrom.</summary>
    [Required] public DateOnly? ValidTo { get; init; }
    public string? Reason { get; init; }
}

public sealed record RetractRegistryEntryRequest
{
    /// <summary>Why the entry was recorded in error.</summary>
    [Required] public string? Reason { get; init; }
}

public sealed record RegistryEntriesResponse(IReadOnlyList<RegistryEntryResponse> Entries);

/// <summary>A registry entry. <c>status</c>: active, or retracted (never applied).</summary>
public sealed record RegistryEntryResponse(
    long Id, string InsuredId, string RegionCode, string Category, DateOnly ValidFrom, DateOnly? ValidTo, string? Source,
    string Status, DateTime RecordedAt, string RecordedBy, IReadOnlyList<RegistryHistoryItem> History)
{
    public static RegistryEntryResponse From(StoredRegistryEntry e)
    {
        // The first item is the recording itself, with the validTo the entry was recorded with.
        var recorded = new RegistryHistoryItem("recorded", e.RecordedAt, e.RecordedBy, e.Changes.Count > 0 ? e.Changes[0].ValidToBefore : e.ValidTo, null);
        return new(e.Id, e.InsuredId, e.RegionCode, e.Category, e.ValidFrom, e.ValidTo, e.Source, e.Status, e.RecordedAt, e.RecordedBy,
            [recorded, .. e.Changes.Select(c => new RegistryHistoryItem(c.Action, c.ChangedAt, c.ChangedBy, c.ValidToAfter, c.Reason))]);
    }
}

/// <summary>One change: <c>recorded</c>, <c>ended</c> or <c>retracted</c>; who, when, the validTo after it and why.</summary>
public sealed record RegistryHistoryItem(string Action, DateTime At, string By, DateOnly? ValidTo, string? Reason);

/// <summary>The entry after the change, and the settled person-years inside the changed dates (a re-adjudication run moves them).</summary>
public sealed record RegistryChangeResponse(
    long Id, string InsuredId, string RegionCode, string Category, DateOnly ValidFrom, DateOnly? ValidTo, string? Source,
    string Status, DateTime RecordedAt, string RecordedBy, IReadOnlyList<RegistryHistoryItem> History, int AffectedPersonYears)
{
    public static RegistryChangeResponse From(RegistryChangeOutcome.Changed c)
    {
        var e = RegistryEntryResponse.From(c.Entry);
        return new(e.Id, e.InsuredId, e.RegionCode, e.Category, e.ValidFrom, e.ValidTo, e.Source, e.Status, e.RecordedAt, e.RecordedBy, e.History,
            c.AffectedPersonYears);
    }
}

/// <summary>The rules of one entry, for the API's batches and the import's lines alike.</summary>
public static class RegistryEntryRules
{
    public const int SourceMaxLength = 200;

    /// <summary>A category the registry accepts: a code of the catalogue (/v1/categories; null: the six built-in codes).</summary>
    public static bool IsKnownCategory(string? code, IReadOnlySet<string>? catalogue, out PersonCategory category) =>
        PersonCategories.TryParseCatalogued(code, catalogue, out category);

    public static string CategoryMessage(IReadOnlySet<string>? catalogue) =>
        $"A catalogued category, one of {string.Join(", ", catalogue ?? PersonCategories.AllCodes.ToHashSet())} (see /v1/categories).";

    /// <summary>Checks one entry, adding errors under <paramref name="prefix"/>; the entry is meaningful only without errors.</summary>
    public static RegistryEntry Check(FieldErrors e, string prefix, IReadOnlySet<string>? catalogue, string? insuredId, string? regionCode, string? category,
        DateOnly? validFrom, DateOnly? validTo, string? source)
    {
        var insured = e.ResidentId($"{prefix}insuredId", insuredId);
        var region = e.RegionCode($"{prefix}regionCode", regionCode);
        if (!IsKnownCategory(category, catalogue, out var parsed)) e.Add($"{prefix}category", CategoryMessage(catalogue));
        var from = e.Required($"{prefix}validFrom", validFrom);
        if (validTo is { } to && validFrom is not null && to < from) e.Add($"{prefix}validTo", "Must not be before validFrom.");
        e.Text($"{prefix}source", source, SourceMaxLength);
        return new RegistryEntry(insured, region, parsed, from, validTo, source);
    }
}

namespace ClaimsService.Domain;

/// <summary>A registry entry: a person in a category over an inclusive date range (null ValidTo = open).</summary>
public sealed record CategoryEntry(PersonCategory Category, DateOnly ValidFrom, DateOnly? ValidTo)
{
    public bool AppliesOn(DateOnly date) => ValidFrom <= date && (ValidTo is null || date <= ValidTo);
}

public static class Resolution
{
    /// <summary>The policy year of a stay is decided by its discharge date (rules.md).</summary>
    public static int PolicyYear(DateOnly dischargeDate) => dischargeDate.Year;

    /// <summary>The province-level code of a region: first two digits + 0000.</summary>
    public static string ProvinceOf(string regionCode) => regionCode[..2] + "0000";

    /// <summary>
    /// The set in force for a region on a date: its own set with the latest effectiveFrom on or before the
    /// date, the highest version winning among equal dates (corrections); failing that, its province's.
    /// </summary>
    public static ParameterSet? SetInForce(Func<string, IEnumerable<ParameterSet>> setsOfRegion, string regionCode, DateOnly onDate)
    {
        return Latest(setsOfRegion(regionCode))
            ?? (ProvinceOf(regionCode) is var province && province != regionCode ? Latest(setsOfRegion(province)) : null);

        ParameterSet? Latest(IEnumerable<ParameterSet> sets) => sets
            .Where(s => s.EffectiveFrom <= onDate)
            .OrderByDescending(s => s.EffectiveFrom).ThenByDescending(s => s.Version)
            .FirstOrDefault();
    }

    /// <summary>The categories a person is in on a date, as the registry says.</summary>
    public static IReadOnlyList<PersonCategory> CategoriesOn(IEnumerable<CategoryEntry> entries, DateOnly date) =>
        entries.Where(e => e.AppliesOn(date)).Select(e => e.Category).Distinct().ToList();
}

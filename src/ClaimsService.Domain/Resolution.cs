namespace ClaimsService.Domain;

/// <summary>A registry entry: a person in a category over an inclusive date range (null ValidTo = open).</summary>
public sealed record CategoryEntry(PersonCategory Category, DateOnly ValidFrom, DateOnly? ValidTo)
{
    public bool AppliesOn(DateOnly date) => ValidFrom <= date && (ValidTo is null || date <= ValidTo);
}

/// <summary>Where a stay belongs: the set it is priced with and the policy year it joins.</summary>
public sealed record Placement(ParameterSet Set, int PolicyYear);

public static class Resolution
{
    /// <summary>The policy year of a stay is decided by its discharge date (rules.md), unless its set says admission.</summary>
    public static int PolicyYear(DateOnly dischargeDate) => dischargeDate.Year;

    /// <summary>
    /// The set in force on the discharge date decides (api.md "Parameter sets"): with <c>policyYearBy: admission</c>
    /// the stay joins the policy year of its admission date and is priced with the set in force on that date
    /// (cross-year stays, 跨年度住院标志). Null when no set is in force on the deciding date.
    /// </summary>
    public static Placement? Place(Func<DateOnly, ParameterSet?> setInForceOn, DateOnly admissionDate, DateOnly dischargeDate)
    {
        if (setInForceOn(dischargeDate) is not { } atDischarge) return null;
        if (atDischarge.PolicyYearBy == PolicyYearBy.Discharge) return new Placement(atDischarge, dischargeDate.Year);
        return setInForceOn(admissionDate) is { } atAdmission ? new Placement(atAdmission, admissionDate.Year) : null;
    }

    /// <summary>The province-level code of a region: first two digits + 0000.</summary>
    public static string ProvinceOf(string regionCode) => RegionCode.ProvinceOf(regionCode);

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

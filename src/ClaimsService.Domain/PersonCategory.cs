namespace ClaimsService.Domain;

/// <summary>Person categories of the registry (rules.md "Person categories").</summary>
public enum PersonCategory
{
    General,
    /// <summary>建档立卡贫困人口.</summary>
    RegisteredPoor,
    /// <summary>脱贫监测户.</summary>
    PovertyMonitored,
    /// <summary>边缘户.</summary>
    Marginal,
    /// <summary>特困人员.</summary>
    ExtremePoverty,
    /// <summary>低保对象.</summary>
    Subsistence,
}

public static class PersonCategories
{
    private static readonly (PersonCategory Category, string Code)[] Codes =
    [
        (PersonCategory.General, "general"),
        (PersonCategory.RegisteredPoor, "registered_poor"),
        (PersonCategory.PovertyMonitored, "poverty_monitored"),
        (PersonCategory.Marginal, "marginal"),
        (PersonCategory.ExtremePoverty, "extreme_poverty"),
        (PersonCategory.Subsistence, "subsistence"),
    ];

    public static IEnumerable<string> AllCodes => Codes.Select(c => c.Code);

    public static string ToCode(this PersonCategory category) => Codes.First(c => c.Category == category).Code;

    public static bool TryParse(string? code, out PersonCategory category)
    {
        foreach (var (c, s) in Codes)
        {
            if (string.Equals(s, code, StringComparison.Ordinal))
            {
                category = c;
                return true;
            }
        }
        category = default;
        return false;
    }

    public static PersonCategory Parse(string code) =>
        TryParse(code, out var c) ? c : throw new ArgumentException($"Unknown person category '{code}'.", nameof(code));
}

namespace ClaimsService.Domain;

/// <summary>
/// A person category of the registry (rules.md "Person categories"), by its code. Categories are data: the six
/// built-in codes below, and any a region adds to the catalogue (api.md "Parameter sets": 返贫致贫人口, 低保边缘户, …).
/// A code is 1–32 characters of lowercase ASCII letters, digits and '_', starting with a letter; whether it is
/// catalogued is checked at the edge.
/// </summary>
public sealed record PersonCategory
{
    public const int MaxLength = 32;

    private PersonCategory(string code) => Code = code;

    public string Code { get; }

    public static readonly PersonCategory General = new("general");
    /// <summary>建档立卡贫困人口.</summary>
    public static readonly PersonCategory RegisteredPoor = new("registered_poor");
    /// <summary>脱贫监测户.</summary>
    public static readonly PersonCategory PovertyMonitored = new("poverty_monitored");
    /// <summary>边缘户.</summary>
    public static readonly PersonCategory Marginal = new("marginal");
    /// <summary>特困人员.</summary>
    public static readonly PersonCategory ExtremePoverty = new("extreme_poverty");
    /// <summary>低保对象.</summary>
    public static readonly PersonCategory Subsistence = new("subsistence");

    /// <summary>The built-in categories, in the order of rules.md.</summary>
    public static IReadOnlyList<PersonCategory> BuiltIn { get; } = [General, RegisteredPoor, PovertyMonitored, Marginal, ExtremePoverty, Subsistence];

    /// <summary>True when <paramref name="code"/> is a well-formed category code (not necessarily catalogued).</summary>
    public static bool TryParse(string? code, out PersonCategory category)
    {
        category = null!;
        if (string.IsNullOrEmpty(code) || code.Length > MaxLength || !char.IsAsciiLetterLower(code[0])) return false;
        foreach (var c in code)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')) return false;
        category = BuiltIn.FirstOrDefault(b => b.Code == code) ?? new PersonCategory(code);
        return true;
    }

    public static PersonCategory Parse(string code) =>
        TryParse(code, out var c) ? c : throw new ArgumentException($"Not a person category code: '{code}'.", nameof(code));

    public override string ToString() => Code;
}

public static class PersonCategories
{
    /// <summary>The codes of the built-in categories.</summary>
    public static IEnumerable<string> AllCodes => PersonCategory.BuiltIn.Select(c => c.Code);

    public static string ToCode(this PersonCategory category) => category.Code;

    /// <summary>A well-formed code; membership of the catalogue is checked where the catalogue is known.</summary>
    public static bool TryParse(string? code, out PersonCategory category) => PersonCategory.TryParse(code, out category);

    public static PersonCategory Parse(string code) => PersonCategory.Parse(code);

    /// <summary>A well-formed code in the catalogue (null catalogue: the six built-in categories).</summary>
    public static bool TryParseCatalogued(string? code, IReadOnlySet<string>? catalogue, out PersonCategory category) =>
        PersonCategory.TryParse(code, out category) && (catalogue?.Contains(category.Code) ?? PersonCategory.BuiltIn.Contains(category));

    /// <summary>Candidate categories as stored with a stay: codes separated by commas, in the order they were recorded.</summary>
    public static string Join(IEnumerable<PersonCategory> categories) => string.Join(",", categories.Select(c => c.Code));

    public static IReadOnlyList<PersonCategory> Split(string? codes) =>
        string.IsNullOrEmpty(codes) ? [] : codes.Split(',').Select(PersonCategory.Parse).ToList();
}

using System.Collections.Frozen;

namespace ClaimsService.Api.Ops;

/// <summary>A region's own name in Chinese and English, and its province's code.</summary>
public sealed record RegionName(string Code, string Zh, string En, string ProvinceCode);

/// <summary>
/// The names of the administrative divisions of the reference data (Ops/Regions/divisions.csv, with its sources): a
/// region is named by itself, not by the parameter set it is priced with. A county-level code without a row of its own
/// takes its prefecture's name; <see cref="Template"/> is the national template, never a region.
/// </summary>
public sealed class RegionNames
{
    public const string Template = "000000";

    private readonly FrozenDictionary<string, RegionName> _names = Load();

    public int Count => _names.Count;

    public RegionName? Of(string regionCode)
    {
        if (regionCode is not { Length: 6 } || regionCode == Template) return null;
        return _names.GetValueOrDefault(regionCode) ?? _names.GetValueOrDefault(regionCode[..4] + "00");
    }

    private static FrozenDictionary<string, RegionName> Load()
    {
        using var stream = typeof(RegionNames).Assembly.GetManifestResourceStream("regions/divisions.csv")
            ?? throw new InvalidOperationException("regions/divisions.csv is not embedded.");
        using var reader = new StreamReader(stream);
        var names = new Dictionary<string, RegionName>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split(',');
            names[parts[0]] = new RegionName(parts[0], parts[1], parts[2], parts[0][..2] + "0000");
        }
        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

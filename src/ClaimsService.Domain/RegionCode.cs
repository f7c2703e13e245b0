using System.Diagnostics.CodeAnalysis;

namespace ClaimsService.Domain;

/// <summary>
/// A pooling region (统筹区): a 6-digit administrative division code, e.g. 450300 Guilin. A code ending in 0000 is a
/// province (450000 Guangxi), whose sets apply to every region of it that has none of its own and whose scope covers them.
/// </summary>
public readonly record struct RegionCode
{
    private RegionCode(string value) => Value = value;

    public string Value { get; }

    public static bool IsValid([NotNullWhen(true)] string? value) => value is { Length: 6 } && value.All(char.IsAsciiDigit);

    public static bool TryParse(string? value, out RegionCode code)
    {
        code = IsValid(value) ? new RegionCode(value!) : default;
        return code.Value is not null;
    }

    public static RegionCode Parse(string value) =>
        TryParse(value, out var code) ? code : throw new ArgumentException($"Not a 6-digit region code: '{value}'.", nameof(value));

    /// <summary>The province-level code: first two digits + 0000.</summary>
    public RegionCode Province => new(ProvinceOf(Value));

    public bool IsProvince => Value.EndsWith("0000", StringComparison.Ordinal);

    /// <summary>This region itself, or, for a province, any region of it (an insurer's or auditor's scope).</summary>
    public bool Covers(RegionCode other) => this == other || (IsProvince && other.Value.StartsWith(Value[..2], StringComparison.Ordinal));

    /// <summary>The province of a well-formed code, as text.</summary>
    public static string ProvinceOf(string regionCode) => regionCode[..2] + "0000";

    public override string ToString() => Value ?? "";
}

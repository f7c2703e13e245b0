namespace ClaimsService.Api.Infrastructure;

/// <summary>
/// The alphabets of the identifiers callers give us. They keep every composed key unambiguous (no separator can appear
/// in a value) and every value storable as it is on each provider.
/// </summary>
public static class Identifiers
{
    public const int SettlementIdMaxLength = 64;
    public const int HospitalCodeMaxLength = 30;
    /// <summary>Rates and fractions carry at most this many decimals (0.655 = 65.5 %).</summary>
    public const int RateDecimals = 6;

    /// <summary>A hospital's settlement id: 1–64 of letters, digits, '-', '_' and '.'.</summary>
    public static bool IsSettlementId(string? value) =>
        value is { Length: > 0 and <= SettlementIdMaxLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>A designated hospital's code (the platform's 定点医药机构编号, e.g. H45030300001): 1–30 ASCII letters and digits.</summary>
    public static bool IsHospitalCode(string? value) =>
        value is { Length: > 0 and <= HospitalCodeMaxLength } && value.All(char.IsAsciiLetterOrDigit);

    /// <summary>A 6-digit administrative division code.</summary>
    public static bool IsRegionCode(string? value) => Domain.RegionCode.IsValid(value);

    /// <summary>No control character and no unpaired surrogate: what every provider stores as text.</summary>
    public static bool IsPrintableText(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c)) return false;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(c)) return false;
        }
        return true;
    }
}

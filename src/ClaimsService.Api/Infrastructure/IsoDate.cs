using System.Globalization;

namespace ClaimsService.Api.Infrastructure;

/// <summary>
/// A date in a query string: <c>yyyy-MM-dd</c> and nothing else (api.md). DateOnly's own binding reads the invariant
/// culture's forms too (01/12/2026 would be 12 January), which a caller in another locale would misread.
/// </summary>
public readonly record struct IsoDate(DateOnly Value)
{
    public const string Format = "yyyy-MM-dd";

    public static bool TryParse(string? text, IFormatProvider? provider, out IsoDate date)
    {
        var ok = DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value);
        date = new IsoDate(value);
        return ok;
    }

    public override string ToString() => Value.ToString(Format, CultureInfo.InvariantCulture);
}

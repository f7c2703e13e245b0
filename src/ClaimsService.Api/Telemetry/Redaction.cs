using System.Text.RegularExpressions;
using ClaimsService.Domain;

namespace ClaimsService.Api.Telemetry;

/// <summary>Masks resident identity numbers (18 characters, the last a digit or X) in text bound for telemetry.</summary>
public static partial class Redaction
{
    [GeneratedRegex("[0-9]{17}[0-9Xx]")]
    private static partial Regex ResidentIdPattern();

    /// <summary>The text with every resident ID masked, or null when it holds none.</summary>
    /// <remarks>Runs on every traced request's path: a scan for 17 digits and a check character rejects almost all of them without the regex.</remarks>
    public static string? MaskResidentIds(string? text) =>
        text is not null && MayHoldResidentId(text) && ResidentIdPattern().IsMatch(text) ? ResidentIdPattern().Replace(text, m => ResidentId.Mask(m.Value)) : null;

    // True exactly when the pattern matches somewhere: 17 digits followed by a digit or X.
    private static bool MayHoldResidentId(ReadOnlySpan<char> text)
    {
        var digits = 0;
        foreach (var c in text)
        {
            if (digits >= 17 && (char.IsAsciiDigit(c) || c is 'X' or 'x')) return true;
            digits = char.IsAsciiDigit(c) ? digits + 1 : 0;
        }
        return false;
    }
}

using System.Text.RegularExpressions;
using ClaimsService.Domain;

namespace ClaimsService.Api.Telemetry;

/// <summary>Masks resident identity numbers (18 characters, the last a digit or X) in text bound for telemetry.</summary>
public static partial class Redaction
{
    [GeneratedRegex("[0-9]{17}[0-9Xx]")]
    private static partial Regex ResidentIdPattern();

    /// <summary>The text with every resident ID masked, or null when it holds none.</summary>
    public static string? MaskResidentIds(string? text) =>
        text is not null && ResidentIdPattern().IsMatch(text) ? ResidentIdPattern().Replace(text, m => ResidentId.Mask(m.Value)) : null;
}

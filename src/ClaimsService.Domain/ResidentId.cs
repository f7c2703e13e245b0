namespace ClaimsService.Domain;

/// <summary>The 18-character resident identity number (GB 11643), checked with ISO 7064 MOD 11-2.</summary>
public static class ResidentId
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckDigits = "10X98765432";

    public static bool IsValid(string? id)
    {
        if (id is null || id.Length != 18) return false;
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(id[i])) return false;
            sum += (id[i] - '0') * Weights[i];
        }
        return char.ToUpperInvariant(id[17]) == CheckDigits[sum % 11];
    }

    /// <summary>Appends the check digit to 17 digits (tests and seed data).</summary>
    public static string WithCheckDigit(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += (first17[i] - '0') * Weights[i];
        return first17 + CheckDigits[sum % 11];
    }

    /// <summary>What may appear in logs and traces: region prefix and last four, never the whole number.</summary>
    public static string Mask(string? id) =>
        id is { Length: >= 10 } ? string.Concat(id.AsSpan(0, 6), "********", id.AsSpan(id.Length - 4)) : "****";
}

namespace ClaimsService.Domain;

/// <summary>
/// The 18-character resident identity number (GB 11643), checked with ISO 7064 MOD 11-2: the one place its format, check
/// digit, normal form (an upper-case X) and masking are written.
/// </summary>
public readonly record struct ResidentId
{
    private ResidentId(string value) => Value = value;

    /// <summary>The number in its normal form (check digit X upper-case).</summary>
    public string Value { get; }

    public static bool TryParse(string? id, out ResidentId residentId)
    {
        residentId = IsValid(id) ? new ResidentId(id!.ToUpperInvariant()) : default;
        return residentId.Value is not null;
    }

    /// <summary>What may appear in logs and traces.</summary>
    public string Masked => Mask(Value);

    public override string ToString() => Masked;

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

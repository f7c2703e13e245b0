namespace ClaimsService.Domain.Tests;

/// <summary>The 18-character resident identity number (GB 11643, ISO 7064 MOD 11-2) and its masking.</summary>
public class ResidentIdTests
{
    public static TheoryData<string> First17 =>
    [
        "45030519800101123", // check digit 7
        "45032119751001001", // 9
        "53010219900307401", // 7
        "22010219851112345", // 5
        "45030519800101127", // X
        "11010519491231002", // X: the GB 11643 example 11010519491231002X
    ];

    [Theory]
    [MemberData(nameof(First17))]
    public void NumberWithItsComputedCheckDigitIsValid(string first17)
    {
        Assert.True(ResidentId.IsValid(ResidentId.WithCheckDigit(first17)));
    }

    [Theory]
    // Hand-computed: Σ digit × weight (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) mod 11 → "10X98765432".
    [InlineData("45030519800101123", "450305198001011237")]
    [InlineData("45032119751001001", "450321197510010019")]
    [InlineData("11010519491231002", "11010519491231002X")]
    public void CheckDigitIsIso7064Mod11Dash2(string first17, string expected)
    {
        Assert.Equal(expected, ResidentId.WithCheckDigit(first17));
    }

    [Theory]
    [MemberData(nameof(First17))]
    public void EveryWrongCheckDigitIsRejected(string first17)
    {
        var right = ResidentId.WithCheckDigit(first17)[17];
        foreach (var wrong in "0123456789X".Where(c => c != right))
            Assert.False(ResidentId.IsValid(first17 + wrong), $"{first17}{wrong}");
    }

    [Fact]
    public void UpperCaseXCheckDigitIsValid()
    {
        Assert.True(ResidentId.IsValid("11010519491231002X"));
        Assert.True(ResidentId.IsValid("45030519800101127X"));
    }

    [Fact]
    public void LowerCaseXIsReadAsTheCheckDigitX()
    {
        // Forms and card readers often give 'x'; it is the same check digit.
        Assert.True(ResidentId.IsValid("11010519491231002x"));
    }

    [Fact]
    public void XWhereTheCheckDigitIsANumberIsRejected()
    {
        Assert.False(ResidentId.IsValid("45030519800101123X"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("45030519800101123")]     // 17: check digit missing
    [InlineData("4503051980010112370")]   // 19
    [InlineData("450305800101123")]       // the old 15-digit form
    [InlineData(" 450305198001011237")]   // padded
    public void WrongLengthIsRejected(string? id)
    {
        Assert.False(ResidentId.IsValid(id));
    }

    [Theory]
    [InlineData("4503051980010A1237")]   // a letter among the first 17
    [InlineData("X50305198001011237")]   // X only allowed last
    [InlineData("450305 98001011237")]   // space
    [InlineData("450305-98001011237")]   // punctuation
    [InlineData("４50305198001011237")]   // full-width digit
    [InlineData("450305198001011230")]   // right length, wrong check digit
    public void NonDigitsOrAWrongCheckDigitAreRejected(string id)
    {
        Assert.False(ResidentId.IsValid(id));
    }

    [Theory]
    [MemberData(nameof(First17))]
    public void MaskNeverContainsTheFullNumber(string first17)
    {
        var id = ResidentId.WithCheckDigit(first17);

        var masked = ResidentId.Mask(id);

        Assert.DoesNotContain(id, masked, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(id[..6] + "********" + id[^4..], masked);
        // The birth date (positions 7–14) never shows.
        Assert.DoesNotContain(id[6..14], masked, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("450305")]
    [InlineData("450305198")]
    public void MaskOfAShortOrMissingNumberShowsNothing(string? id)
    {
        Assert.Equal("****", ResidentId.Mask(id));
    }
}

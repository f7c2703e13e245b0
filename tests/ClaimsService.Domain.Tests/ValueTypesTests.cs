namespace ClaimsService.Domain.Tests;

/// <summary>The identifiers and units of the domain (style.md 14): each rule written once.</summary>
public class ValueTypesTests
{
    [Theory]
    [InlineData(12.345, 1235)]
    [InlineData(-12.345, -1235)]
    [InlineData(0.004, 0)]
    [InlineData(23800, 2380000)]
    public void YuanBecomeFenRoundedHalfAwayFromZero(decimal yuan, long fen)
    {
        Assert.Equal(fen, Fen.Of(yuan).Value);
        Assert.Equal(fen, Money.ToFen(yuan));
    }

    [Fact]
    public void FenBecomeYuanWithExactlyTwoDecimals()
    {
        Assert.Equal("23800.00", Money.FromFen(2_380_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("-0.50", new Fen(-50).ToString());
    }

    [Fact]
    public void AProvinceCodeCoversItsPrefecturesAndAPrefectureOnlyItself()
    {
        var guangxi = RegionCode.Parse("450000");
        var guilin = RegionCode.Parse("450300");

        Assert.Equal(guangxi, guilin.Province);
        Assert.True(guangxi.Covers(guilin));
        Assert.False(guilin.Covers(guangxi));
        Assert.False(guangxi.Covers(RegionCode.Parse("530100")));
    }

    [Theory]
    [InlineData("45030")]
    [InlineData("4503000")]
    [InlineData("45O300")]
    [InlineData(null)]
    public void ARegionCodeIsSixDigits(string? code) => Assert.False(RegionCode.TryParse(code, out _));

    [Fact]
    public void AResidentIdIsKeptInItsNormalFormAndShownMasked()
    {
        var id = ResidentId.WithCheckDigit("11010519491231002");  // check digit X

        Assert.True(ResidentId.TryParse(id.ToLowerInvariant(), out var parsed));
        Assert.Equal("11010519491231002X", parsed.Value);
        Assert.Equal("110105********002X", parsed.ToString());
        Assert.False(ResidentId.TryParse("110105194912310021", out _));
    }
}

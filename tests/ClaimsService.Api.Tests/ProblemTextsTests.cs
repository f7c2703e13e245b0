using System.Globalization;
using System.Text.RegularExpressions;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Api.Tests;

/// <summary>api.md "Errors": every problem code the service has reads in Chinese; call sites name codes from the catalogue.</summary>
public sealed partial class ProblemTextsTests
{
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");

    public static TheoryData<string> Codes() => [.. ProblemCodes.All];

    [Theory]
    [MemberData(nameof(Codes))]
    public void EveryProblemCodeHasAnEnglishAndAChineseTitle(string code)
    {
        var english = ProblemLocalization.OwnText(code, CultureInfo.InvariantCulture);
        var chinese = ProblemLocalization.OwnText(code, Chinese);

        Assert.False(string.IsNullOrWhiteSpace(english), $"{code} has no English title");
        Assert.False(string.IsNullOrWhiteSpace(chinese), $"{code} has no Chinese title");
        Assert.Matches(Han(), chinese);
        Assert.Equal(chinese, ProblemLocalization.Title(code, Chinese));
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void ADetailHasAChineseTemplateWithTheSameValuesAsTheEnglishOne(string code)
    {
        var english = ProblemLocalization.OwnText(code + ".detail", CultureInfo.InvariantCulture);
        var chinese = ProblemLocalization.OwnText(code + ".detail", Chinese);

        Assert.Equal(english is null, chinese is null);
        if (english is null) return;
        Assert.Equal(Placeholders(english), Placeholders(chinese!));
    }

    [Fact]
    public void EveryTextBelongsToACatalogueCode()
    {
        var keys = Keys("ProblemTexts.resx").Concat(Keys("ProblemTexts.zh-CN.resx"));
        Assert.All(keys, key => Assert.Contains(key.Replace(".detail", "", StringComparison.Ordinal), ProblemCodes.All));
    }

    /// <summary>A code written as a literal at a call site would escape the catalogue, and so the translation.</summary>
    [Fact]
    public void NoCallSiteWritesAProblemCodeAsALiteral()
    {
        var sources = Directory.EnumerateFiles(ClaimsAppFactory.RepositoryPath("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var offenders = sources.SelectMany(file => LiteralCode().Matches(File.ReadAllText(file)).Select(m => $"{Path.GetFileName(file)}: {m.Value}")).ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void AChineseDetailCarriesTheCallSitesValues() =>
        Assert.Equal("统筹区 450300 在 2020-03-15 没有生效的政策参数。",
            ProblemLocalization.Detail(ProblemCodes.NoParametersInForce, ["450300", new DateOnly(2020, 3, 15)], Chinese));

    private static string[] Placeholders(string template) => [.. Placeholder().Matches(template).Select(m => m.Value).Order()];

    private static IEnumerable<string> Keys(string file) =>
        System.Xml.Linq.XDocument.Load(ClaimsAppFactory.RepositoryPath("src", "ClaimsService.Api", "Infrastructure", file))
            .Root!.Elements("data").Select(d => (string)d.Attribute("name")!);

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();

    [GeneratedRegex(@"\{\d+(:[^}]*)?\}")]
    private static partial Regex Placeholder();

    // Problems.Of(404, "x_y", …), Rejected(422, "x_y", …), ["code"] = "x_y"
    [GeneratedRegex(@"(Problems\.Of|Rejected)\(\s*[^,()]+,\s*\$?""|\[""code""\]\s*=\s*""")]
    private static partial Regex LiteralCode();
}

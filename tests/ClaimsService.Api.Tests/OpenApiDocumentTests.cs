using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Api.Tests;

/// <summary>openapi.yaml at the repository root is the contract clients generate from: it must be what the service serves.</summary>
public sealed class OpenApiDocumentTests(SqliteAppFactory factory) : IClassFixture<SqliteAppFactory>
{
    [Fact]
    public async Task TheCommittedOpenApiDocumentIsTheOneTheRunningServiceGenerates()
    {
        var generated = Normalise(await factory.CreateClient().GetStringAsync("/openapi/v1.yaml"));
        var path = ClaimsAppFactory.RepositoryPath("openapi.yaml");
        // Regenerate after changing an endpoint: UPDATE_OPENAPI=1 dotnet test --filter OpenApiDocumentTests
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(path, generated);

        var committed = File.Exists(path) ? Normalise(await File.ReadAllTextAsync(path)) : "";
        Assert.True(committed == generated,
            $"openapi.yaml differs from the service's generated document (first difference at line {FirstDifference(committed, generated)}). "
            + "Regenerate it with: UPDATE_OPENAPI=1 dotnet test tests/ClaimsService.Api.Tests --filter OpenApiDocumentTests");
        Assert.Contains("/v1/settlements:", generated);
    }

    private static string Normalise(string yaml) => yaml.Replace("\r\n", "\n").TrimEnd() + "\n";

    private static int FirstDifference(string a, string b)
    {
        var (x, y) = (a.Split('\n'), b.Split('\n'));
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
            if (x[i] != y[i]) return i + 1;
        return Math.Min(x.Length, y.Length) + 1;
    }
}

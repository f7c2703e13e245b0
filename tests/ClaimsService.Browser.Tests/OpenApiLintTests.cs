using System.Diagnostics;
using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Browser.Tests;

/// <summary>
/// openapi.yaml passes two independent linters (issue 13): Redocly's recommended rules with no error, Spectral's spectral:oas
/// with no warning. They are pinned in tools/openapi-lint (package.json + package-lock.json), installed there by scripts/test.sh.
/// </summary>
public sealed class OpenApiLintTests : IDisposable
{
    private static readonly string Tools = ClaimsAppFactory.RepositoryPath("tools", "openapi-lint");
    private static readonly string Document = ClaimsAppFactory.RepositoryPath("openapi.yaml");
    private readonly string _scratch = Directory.CreateTempSubdirectory("claims-openapi-lint-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task RedoclyFindsNoErrorInTheCommittedDocument()
    {
        var (exit, output) = await RunAsync("redocly", "lint", Document, "--format=summary");

        Assert.True(exit == 0, $"redocly lint openapi.yaml exited {exit}:\n{output}");
        Assert.Contains("Your API description is valid", output);
    }

    [Fact]
    public async Task SpectralFindsNoWarningInTheCommittedDocument()
    {
        var (exit, output) = await RunAsync("spectral", "lint", "--ruleset", Path.Combine(Tools, ".spectral.yaml"), "--fail-severity", "warn", Document);

        Assert.True(exit == 0, $"spectral lint openapi.yaml exited {exit}:\n{output}");
    }

    /// <summary>The check is proven by making it fail once (style.md 15): the document as it was before issue 13, without servers.</summary>
    [Fact]
    public async Task BothLintersFailOnADocumentWithoutServersOrOperationDescriptions()
    {
        var broken = Path.Combine(_scratch, "openapi.yaml");
        var lines = File.ReadAllLines(Document).ToList();
        var servers = lines.IndexOf("servers:");
        Assert.True(servers > 0, "openapi.yaml has no top-level servers");
        lines.RemoveRange(servers, 3);
        File.WriteAllLines(broken, lines.Where(l => !l.StartsWith("      description: ", StringComparison.Ordinal)));

        var (redocly, redoclyOutput) = await RunAsync("redocly", "lint", broken, "--format=summary");
        var (spectral, spectralOutput) = await RunAsync("spectral", "lint", "--ruleset", Path.Combine(Tools, ".spectral.yaml"), "--fail-severity", "warn", broken);

        Assert.NotEqual(0, redocly);
        Assert.Contains("no-empty-servers", redoclyOutput);
        Assert.NotEqual(0, spectral);
        Assert.Contains("operation-description", spectralOutput);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string tool, params string[] args)
    {
        var executable = Path.Combine(Tools, "node_modules", ".bin", tool);
        Assert.True(File.Exists(executable), $"{executable} is missing: scripts/test.sh installs it (npm ci --prefix tools/openapi-lint).");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Tools };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // No telemetry, update checks or colour codes from the linters.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

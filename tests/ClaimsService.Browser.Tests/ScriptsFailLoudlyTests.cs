using System.Diagnostics;
using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Browser.Tests;

/// <summary>
/// style.md 15: a check is proven by making it fail once. Each script here is run with what it checks broken, and
/// must say so in its exit status (issue 9: a failed build ran stale binaries; "All deploy checks passed" printed
/// after a failed check).
/// </summary>
public sealed class ScriptsFailLoudlyTests : IDisposable
{
    private static readonly string Repository = ClaimsAppFactory.RepositoryPath();
    private readonly string _scratch = Directory.CreateTempSubdirectory("claims-scripts-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task TestShExitsNonZeroWithAFailedLineAndRunsNoStaleTestsWhenTheBuildFails()
    {
        // A copy of the repository's files (tracked and new, not ignored: no bin/ or obj/), with a syntax error in the Domain.
        var copy = Path.Combine(_scratch, "repo");
        var (_, files, _) = await RunAsync(Repository, "git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
        foreach (var file in files.Split('\0', StringSplitOptions.RemoveEmptyEntries).Where(f => File.Exists(Path.Combine(Repository, f))))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, file))!);
            File.Copy(Path.Combine(Repository, file), Path.Combine(copy, file));
        }
        var broken = Directory.EnumerateFiles(Path.Combine(copy, "src", "ClaimsService.Domain"), "*.cs").Order().First();
        File.AppendAllText(broken, "\nthis is not C#\n");
        // Stale binaries of a test project where `dotnet test --no-build` would find and run them.
        var bin = Path.Combine(Repository, "tests", "ClaimsService.Domain.Tests", "bin");
        if (Directory.Exists(bin)) await RunAsync(Repository, "cp", ["-r", bin, Path.Combine(copy, "tests", "ClaimsService.Domain.Tests")]);

        var (exit, stdout, stderr) = await RunAsync(copy, "bash", ["scripts/test.sh"], ("CLAIMS_TEST_PG_PORT", "1"));
        var output = stdout + stderr;

        Assert.NotEqual(0, exit);
        Assert.Contains("error CS", output);
        Assert.Equal("0 passed, 1 failed", stdout.TrimEnd().Split('\n')[^1]);
        Assert.DoesNotContain("Test run for", output);
        Assert.DoesNotContain("Passed!", output);
    }

    [Fact]
    public async Task VerifyShStopsNonZeroAtAFailedCheckAndNeverSaysAllPassed()
    {
        // A compose client that finds the file invalid, as `docker compose config` does with a broken compose.yml.
        var tools = Directory.CreateDirectory(Path.Combine(_scratch, "bin")).FullName;
        var docker = Path.Combine(tools, "docker");
        File.WriteAllText(docker, """
            #!/bin/sh
            if [ "$1 $2" = "compose version" ]; then echo "Docker Compose version v2.99.0-test"; exit 0; fi
            echo "validating compose.yml: services.claims.ports must be a list" >&2
            exit 15
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(docker, (UnixFileMode)0b111_101_101);

        var (exit, stdout, stderr) = await RunAsync(Repository, "bash", ["deploy/verify.sh"], ("PATH", $"{tools}:{Environment.GetEnvironmentVariable("PATH")}"));

        var output = stdout + stderr;
        Assert.NotEqual(0, exit);
        Assert.Contains("FAIL: docker compose config (exit 15)", output);
        Assert.DoesNotContain("All deploy checks passed", output);
        Assert.DoesNotContain("== 3.", output); // it stopped at the failed check
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string folder, string file, string[] args, params (string Name, string Value)[] env)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The test host's MSBuild variables would point a nested build at this one's SDK state.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in env) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not end within 4 minutes.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}

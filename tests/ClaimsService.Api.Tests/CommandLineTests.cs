using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Api.Tests;

/// <summary>
/// api.md "Command line", run as a script runs it: the executable as a process. Scripts take the key from the last
/// line of stdout (bench/load/run.sh: <c>keys create … | tail -n 1</c>), and 1 to 4 runs in 14 used to end with a
/// log line instead, because the console logger wrote to stdout from its own thread.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("claims-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task KeysCreatePrintsTheKeyAloneOnTheLastLineOfStdoutEveryTime()
    {
        const int runs = 16;
        var results = new List<(int Exit, string Out, string Err)>();
        // Four at a time, each with its own database (the verb migrates first).
        foreach (var batch in Enumerable.Range(0, runs).Chunk(4))
            results.AddRange(await Task.WhenAll(batch.Select(i => RunAsync($"run-{i}.db", "keys", "create", "--role", "admin", "--name", $"cli-{i}"))));

        Assert.All(results, r =>
        {
            Assert.True(r.Exit == 0, $"exit {r.Exit}: {r.Err}");
            Assert.EndsWith("\n", r.Out); // nothing after the key's line, not even a partial log line
            var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches("^csk_[A-Za-z0-9_-]{20,}$", lines[^1]);
            // stdout is the verb's answer alone: the logs (Polly's, the host's) went to stderr.
            Assert.True(lines.Length == 2 && lines[0].StartsWith("Created admin client", StringComparison.Ordinal), $"stdout was:\n{r.Out}");
        });
        Assert.Equal(runs, results.Select(r => r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).Distinct().Count());
    }

    [Theory]
    [InlineData("keys", "create", "--role", "nobody")]
    [InlineData("keys", "create", "--role", "admin", "--colour", "red")]
    [InlineData("keys", "create", "--role", "hospital")]
    [InlineData("keys", "frobnicate")]
    [InlineData("keys", "create", "--role", "hospital", "--hospital", "HX|Y")]
    [InlineData("keys", "create", "--role", "hospital", "--hospital", "H 4503")]
    [InlineData("keys", "create", "--role", "hospital", "--hospital", "H450300000000000000000000000001")]
    [InlineData("keys", "create", "--role", "admin", "--name", "root\tx")]
    public async Task AFailedVerbExitsNonZeroWithAOneLineReasonOnStderr(params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync("fail.db", args);

        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("csk_", stdout);
        var reason = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(reason.Count == 1, $"stderr was:\n{stderr}");
        // Refused before the database was touched: not even its schema was written.
        Assert.False(File.Exists(Path.Combine(_folder, "fail.db")), "the refused verb created the database");
    }

    private Task<(int Exit, string Out, string Err)> RunAsync(string database, params string[] args) =>
        ServiceProcess.RunAsync(_folder, "Sqlite", $"Data Source={Path.Combine(_folder, database)}", args);
}

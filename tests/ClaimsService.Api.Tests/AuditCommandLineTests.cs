using ClaimsService.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ClaimsService.Api.Tests;

/// <summary>The key lifecycle and audit verbs run as a script runs them: the executable as a process, its exit status and output.</summary>
public sealed class AuditCommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("claims-audit-cli-").FullName;
    private string Database => Path.Combine(_folder, "claims.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AuditVerifyExitsZeroOnASealedLogAndOneNamingTheSequenceOfAChangedEntry()
    {
        Assert.Equal(0, (await RunAsync("migrate")).Exit);
        for (var i = 0; i < 3; i++)
            await ExecuteAsync("""
                INSERT INTO audit_log (kind, outcome, caller, hospital_code, settlement_id, region_code, inputs, recorded_at)
                VALUES ('preview', 'accepted', 'hospital:cli', 'H4503000001', 'GL-CLI', '450300', '{}', '2020-12-01 02:00:00')
                """);

        var sealed_ = await RunAsync("audit", "seal");
        Assert.True(sealed_.Exit == 0, sealed_.Err);
        Assert.Contains("Sealed through sequence 3 (3 entries)", sealed_.Out);
        var intact = await RunAsync("audit", "verify");
        Assert.True(intact.Exit == 0, intact.Out + intact.Err);

        await ExecuteAsync("UPDATE audit_log SET caller = 'hospital:someone-else' WHERE id = 2");

        var (exit, stdout, stderr) = await RunAsync("audit", "verify", "--from", "2000-01-01");
        Assert.Equal(1, exit);
        Assert.Contains("sequence 2: changed", stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.NotEqual(0, (await RunAsync("audit", "verify", "--from", "2020/01/01")).Exit);
    }

    [Fact]
    public async Task KeysAreListedWithTheirExpiryAndRevokedById()
    {
        var created = await RunAsync("keys", "create", "--role", "auditor", "--region", "450300", "--name", "audit office", "--expires", "2099-12-31");
        Assert.True(created.Exit == 0, created.Err);
        var key = created.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];

        var listed = await RunAsync("keys", "list");
        Assert.Equal(0, listed.Exit);
        var line = Assert.Single(listed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("audit office", StringComparison.Ordinal));
        var columns = line.Split('\t');
        Assert.Equal(("auditor", "450300", "2099-12-31T16:00:00Z", "-", "-"), (columns[2], columns[3], columns[5], columns[6], columns[7]));
        Assert.DoesNotContain(key, listed.Out);

        Assert.Equal(0, (await RunAsync("keys", "revoke", columns[0], "--reason", "rotated")).Exit);
        var revoked = (await RunAsync("keys", "list")).Out.Split('\n').Single(l => l.Contains("audit office", StringComparison.Ordinal)).Split('\t');
        Assert.EndsWith("rotated", revoked[7]);
        Assert.Equal(1, (await RunAsync("keys", "revoke", "no-such-client")).Exit);
        Assert.Equal(1, (await RunAsync("keys", "create", "--role", "auditor")).Exit);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) =>
        ServiceProcess.RunAsync(_folder, "Sqlite", $"Data Source={Database}", args);
}

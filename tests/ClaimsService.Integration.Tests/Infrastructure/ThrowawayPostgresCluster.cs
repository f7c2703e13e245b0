using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ClaimsService.Integration.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of one test's own, to stop and start under the service (as ./scripts/test.sh starts its
/// cluster: initdb and pg_ctl from <c>CLAIMS_TEST_PG_BIN</c>, as the postgres user when we are root, since initdb
/// refuses to run as root). Its folder under /tmp is removed on dispose.
/// </summary>
public sealed class ThrowawayPostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"claims-fault-{Guid.NewGuid():N}");
    private readonly int _port = FreePort();

    private ThrowawayPostgresCluster(string bin) => _bin = bin;

    private string DataFolder => Path.Combine(_folder, "pg");

    /// <summary>A connection string to the cluster's <c>postgres</c> database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres";

    /// <summary>Creates the cluster and starts it.</summary>
    public static async Task<ThrowawayPostgresCluster> StartNewAsync()
    {
        var cluster = new ThrowawayPostgresCluster(TestPostgres.BinDirectory);
        Directory.CreateDirectory(cluster.DataFolder);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(cluster._folder, (UnixFileMode)0b111_101_101);
        if (Environment.IsPrivilegedProcess) await RunAsync("chown", "postgres", cluster._folder, cluster.DataFolder);
        await cluster.AsPostgresAsync("initdb", "-D", cluster.DataFolder, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        await cluster.StartAsync();
        return cluster;
    }

    public Task StartAsync() => AsPostgresAsync("pg_ctl", "-D", DataFolder, "-l", Path.Combine(_folder, "pg.log"), "-w", "-o",
        $"-p {_port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start");

    /// <summary>A fast shutdown: open transactions are rolled back and sessions ended, as in a failover or a restart.</summary>
    public Task StopAsync() => AsPostgresAsync("pg_ctl", "-D", DataFolder, "-m", "fast", "-w", "stop");

    /// <summary>
    /// Freezes the server without closing anything (a hung host, a stalled disk): SIGSTOP to the postmaster and every
    /// backend. Connections stay open and new ones are accepted by the kernel, but nothing answers until <see cref="ThawAsync"/>.
    /// </summary>
    public Task FreezeAsync() => SignalServerAsync("-STOP");

    public Task ThawAsync() => SignalServerAsync("-CONT");

    private Task SignalServerAsync(string signal)
    {
        var postmaster = File.ReadLines(Path.Combine(DataFolder, "postmaster.pid")).First().Trim();
        var children = Directory.EnumerateDirectories("/proc")
            .Select(d => Path.Combine(d, "stat"))
            .Select(f => { try { return File.ReadAllText(f); } catch (IOException) { return null; } catch (UnauthorizedAccessException) { return null; } })
            .OfType<string>()
            .Where(stat => stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == postmaster)
            .Select(stat => stat[..stat.IndexOf(' ')]);
        return RunAsync("kill", [signal, postmaster, .. children]);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ThawAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // Not running.
        }
        try
        {
            await AsPostgresAsync("pg_ctl", "-D", DataFolder, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        Directory.Delete(_folder, recursive: true);
    }

    private Task AsPostgresAsync(string tool, params string[] args)
    {
        var path = Path.Combine(_bin, tool);
        return Environment.IsPrivilegedProcess ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args]) : RunAsync(path, args);
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await errors}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

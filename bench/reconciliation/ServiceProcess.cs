using System.Diagnostics;
using System.Globalization;

namespace ClaimsService.Bench.Reconciliation;

/// <summary>The service under test, started from its Release build against the benchmark's PostgreSQL.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, string url) => (_process, Url) = (process, url);

    public string Url { get; }

    public int Pid => _process.Id;

    private static ProcessStartInfo Start(string dll, string connectionString, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["Database__Provider"] = "PostgreSql";
        info.Environment["ConnectionStrings__Claims"] = connectionString;
        info.Environment["Database__SeedOnStart"] = "false";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        return info;
    }

    /// <summary>Runs a CLI verb of the service (migrate, keys create) and returns its stdout.</summary>
    public static async Task<string> VerbAsync(string dll, string connectionString, params string[] args)
    {
        using var process = Process.Start(Start(dll, connectionString, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', args)} failed: {await stderr}{await stdout}");
        return await stdout;
    }

    public static async Task<ServiceProcess> StartAsync(string dll, string connectionString, int port)
    {
        var url = $"http://127.0.0.1:{port}";
        var info = Start(dll, connectionString);
        info.Environment["ASPNETCORE_URLS"] = url;
        var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var service = new ServiceProcess(process, url);
        using var http = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            if (process.HasExited) throw new InvalidOperationException($"The service exited with {process.ExitCode}.");
            try
            {
                if ((await http.GetAsync($"{url}/health/live")).IsSuccessStatusCode) return service;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        await service.DisposeAsync();
        throw new TimeoutException("The service did not answer /health/live in 30 s.");
    }

    /// <summary>Resident set size now, in MiB (VmRSS), or the high-water mark (VmHWM).</summary>
    public double RssMiB(string field = "VmRSS")
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }

    /// <summary>
    /// CPU time the service has used (user + system, from /proc/PID/stat), in seconds. On a shared machine wall-clock
    /// throughput moves with everyone else's load; the service's own CPU per row does much less.
    /// </summary>
    public double CpuSeconds() => CpuSplit().User + CpuSplit().System;

    /// <summary>User and system CPU seconds of the service (system time includes sending on the socket).</summary>
    public (double User, double System) CpuSplit()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from the 3rd (state) on
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) / 100.0, long.Parse(fields[12], CultureInfo.InvariantCulture) / 100.0);
    }

    /// <summary>Samples VmRSS every 100 ms while <paramref name="work"/> runs; returns its result, the peak and the service's CPU seconds.</summary>
    public async Task<(T Result, double PeakMiB, double StartMiB, (double User, double System) Cpu)> SampleAsync<T>(Func<Task<T>> work)
    {
        var cpuAtStart = CpuSplit();
        var startMiB = RssMiB();
        var peak = startMiB;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, RssMiB());
                try { await Task.Delay(100, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var result = await work();
        await stop.CancelAsync();
        await sampler;
        return (result, Math.Max(peak, RssMiB()), startMiB, CpuSplit() is var end ? (end.User - cpuAtStart.User, end.System - cpuAtStart.System) : default);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

using System.Diagnostics;

namespace ClaimsService.Api.Tests.Infrastructure;

/// <summary>
/// The service's executable run as a script runs it (<c>dotnet ClaimsService.Api.dll VERB …</c>) against a given database,
/// in production settings: its exit status, stdout and stderr, within a minute.
/// </summary>
public static class ServiceProcess
{
    private static readonly string Service = typeof(Program).Assembly.Location;

    public static async Task<(int Exit, string Out, string Err)> RunAsync(string workingDirectory, string provider, string connectionString,
        params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Service);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["Database__Provider"] = provider;
        start.Environment["ConnectionStrings__Claims"] = connectionString;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', args)} did not exit within 60 s.");
        }
        return (process.ExitCode, (await stdout).Replace("\r\n", "\n"), await stderr);
    }
}

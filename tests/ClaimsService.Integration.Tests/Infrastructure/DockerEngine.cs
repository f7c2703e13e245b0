using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClaimsService.Integration.Tests.Infrastructure;

/// <summary>
/// Whether a Docker engine answers, asked the way Testcontainers finds one (DOCKER_HOST, ~/.testcontainers.properties,
/// then the usual sockets), with a two-second ping. Suites that need one skip, and say why, when none does.
/// </summary>
public static class DockerEngine
{
    private static readonly Lazy<string?> Probe = new(ProbeEndpoints);

    /// <summary>Null when an engine answered; otherwise why the Docker suites are skipped.</summary>
    public static string? Unavailable => Probe.Value;

    private static string? ProbeEndpoints()
    {
        var tried = new List<string>();
        foreach (var endpoint in Candidates())
        {
            var failure = Ping(endpoint);
            if (failure is null) return null;
            tried.Add($"{endpoint}: {failure}");
        }
        return "No Docker engine: SQL Server suite runs through Testcontainers where Docker exists (tried " + string.Join("; ", tried) + ")";
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host) yield return host;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var properties = Path.Combine(home, ".testcontainers.properties");
        if (File.Exists(properties)
            && File.ReadAllLines(properties).Select(l => l.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Trim() == "docker.host") is { } setting)
            yield return setting[1].Trim();
        yield return "unix:///var/run/docker.sock";
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime) yield return $"unix://{runtime}/docker.sock";
        yield return $"unix://{home}/.docker/run/docker.sock";
    }

    /// <summary>Null when <c>GET /_ping</c> answers 200, else what went wrong.</summary>
    private static string? Ping(string endpoint)
    {
        try
        {
            var uri = new Uri(endpoint);
            Socket socket;
            EndPoint target;
            switch (uri.Scheme)
            {
                case "unix":
                    if (!File.Exists(uri.LocalPath)) return "no such socket";
                    socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    target = new UnixDomainSocketEndPoint(uri.LocalPath);
                    break;
                case "tcp" or "http":
                    socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    target = new DnsEndPoint(uri.Host, uri.Port);
                    break;
                default:
                    // Named pipes and TLS endpoints: let Testcontainers decide.
                    return null;
            }
            using (socket)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                socket.ConnectAsync(target, timeout.Token).AsTask().GetAwaiter().GetResult();
                socket.Send(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"));
                var buffer = new byte[256];
                var read = socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask().GetAwaiter().GetResult();
                var status = Encoding.ASCII.GetString(buffer, 0, read).Split('\n')[0].Trim();
                return status.Contains(" 200 ", StringComparison.Ordinal) ? null : $"answered '{status}'";
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or UriFormatException or IOException)
        {
            return e.Message;
        }
    }
}

/// <summary>A test that needs SQL Server through Testcontainers: skipped, with the reason, where no Docker engine answers.</summary>
public sealed class SqlServerFactAttribute : FactAttribute
{
    public SqlServerFactAttribute()
    {
        if (DockerEngine.Unavailable is { } reason) Skip = reason;
    }
}

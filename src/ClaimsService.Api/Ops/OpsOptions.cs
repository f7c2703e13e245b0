using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;

namespace ClaimsService.Api.Ops;

/// <summary>The <c>Ops</c> configuration section: how each instance shares its request figures with the fleet.</summary>
public sealed class OpsOptions
{
    public const string Section = "Ops";

    /// <summary>
    /// The instance's name in the fleet figures; default the host name (a pod's name in Kubernetes). A short random suffix
    /// is added per process (<see cref="InstanceId"/>), so a restarted instance never overwrites its predecessor's minutes.
    /// </summary>
    [MaxLength(80)]
    [RegularExpression(@"^[A-Za-z0-9._\-]*$", ErrorMessage = "Ops:InstanceName: letters, digits, '.', '_' and '-' only.")]
    public string? InstanceName { get; set; }

    /// <summary>How often each instance writes its changed per-minute figures to the database, in seconds; default 5.</summary>
    [Range(1, 60)]
    public int FlushSeconds { get; set; } = 5;

    /// <summary>How long per-instance minutes are kept, in days; default 400 (a policy year and a month).</summary>
    [Range(1, 3660)]
    public int RetentionDays { get; set; } = 400;

    private readonly Lazy<string> _id;

    public OpsOptions() => _id = new Lazy<string>(() =>
        $"{(string.IsNullOrEmpty(InstanceName) ? Environment.MachineName : InstanceName)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");

    /// <summary>This process's id in <c>instance_request_minutes</c>: the name and a random suffix chosen once per process.</summary>
    public string InstanceId => _id.Value;
}

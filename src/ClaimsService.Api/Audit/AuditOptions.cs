using System.ComponentModel.DataAnnotations;

namespace ClaimsService.Api.Audit;

/// <summary>The <c>Audit</c> configuration section: how the audit chain is sealed.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>How often each instance seals what can be sealed, in seconds; default 300. 0 turns the background sealer off (audit seal still works).</summary>
    [Range(0, 86_400)]
    public int SealIntervalSeconds { get; set; } = 300;

    /// <summary>
    /// Entries recorded less than this many seconds ago are left for a later seal; default 60. It must exceed twice the longest a
    /// transaction writing the audit log can take (Database:TimeoutSeconds bounds it), plus the clock skew between instances.
    /// </summary>
    [Range(1, 3_600)]
    public int SealSafetyMarginSeconds { get; set; } = 60;

    /// <summary>At most this many entries per seal (a longer backlog becomes several seals); default 5000.</summary>
    [Range(1, 100_000)]
    public int MaxEntriesPerSeal { get; set; } = 5_000;
}

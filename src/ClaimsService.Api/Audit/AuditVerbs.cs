using System.Globalization;
using ClaimsService.Api.Infrastructure;

namespace ClaimsService.Api.Audit;

/// <summary><c>audit seal</c> and <c>audit verify [--from DATE] [--to DATE]</c> of the command line.</summary>
internal static class AuditVerbs
{
    public static async Task<int> SealAsync(IServiceProvider services, TextWriter output)
    {
        var seals = await services.GetRequiredService<AuditSealer>().SealAsync(CancellationToken.None);
        foreach (var s in seals)
            output.WriteLine(FormattableString.Invariant($"Sealed through sequence {s.Sequence} ({s.Entries} entries): {s.Digest}"));
        if (seals.Count == 0) output.WriteLine("Nothing new to seal (entries younger than Audit:SealSafetyMarginSeconds wait for a later seal).");
        return 0;
    }

    /// <summary>Exit 0 when the log is intact; 1, with one line per finding and a one-line reason on stderr, when it is not.</summary>
    public static async Task<int> VerifyAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        DateOnly? from = null, to = null;
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            var e = new FieldErrors();
            var day = AuditApi.Date(e, args[i], value) ?? throw new ArgumentException($"{args[i]} takes a date, yyyy-MM-dd.");
            switch (args[i])
            {
                case "--from": from = day; break;
                case "--to": to = day; break;
                default: throw new ArgumentException($"Unknown option {args[i]}; audit verify [--from yyyy-MM-dd] [--to yyyy-MM-dd].");
            }
        }
        var result = await services.GetRequiredService<AuditVerifier>().VerifyAsync(from, to, CancellationToken.None);
        foreach (var f in result.Findings)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sequence {f.Sequence}: {f.Problem}: {f.Detail}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.SealsChecked} seals and {result.EntriesChecked} entries checked; sealed through {result.SealedThrough?.ToString(CultureInfo.InvariantCulture) ?? "-"}: {(result.Intact ? "intact" : "NOT intact")}."));
        if (result.Intact) return 0;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"error: the audit log does not match its seals at sequence {string.Join(", ", result.Findings.Select(f => f.Sequence).Distinct())}."));
        return 1;
    }
}

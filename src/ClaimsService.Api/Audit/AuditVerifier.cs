using ClaimsService.Data.Audit;
using ClaimsService.Data.Stores;

namespace ClaimsService.Api.Audit;

/// <summary>What verification found at one sequence: an entry changed, removed or inserted in a sealed prefix, or a seal that does not hold.</summary>
public sealed record AuditFinding(long Sequence, string Problem, string Detail)
{
    public const string Changed = "changed";
    public const string Removed = "removed";
    public const string Inserted = "inserted";
    public const string SealMismatch = "seal_mismatch";
    public const string SealChainBroken = "seal_chain_broken";
}

/// <summary>The outcome of <c>audit verify</c>: intact when nothing was found.</summary>
public sealed record AuditVerification(bool Intact, int SealsChecked, long EntriesChecked, long? SealedThrough, IReadOnlyList<AuditFinding> Findings);

/// <summary>
/// Recomputes the chain from the log as it is now and checks it against every seal and every stored entry digest. Each seal
/// is checked on its own segment (the entries after the seal before it), starting from that seal's digest, so a period can be
/// verified without rereading the whole log; the seals themselves are checked to form one chain.
/// </summary>
public sealed class AuditVerifier(AuditSealStore store)
{
    public async Task<AuditVerification> VerifyAsync(DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var seals = await store.AllAsync(ct);
        var findings = new List<AuditFinding>();
        var (sealsChecked, entriesChecked) = (0, 0L);
        AuditSealRow? previous = null;
        foreach (var seal in seals)
        {
            var day = BusinessDay.Of(seal.SealedAt);
            if ((from is null || day >= from) && (to is null || day <= to))
            {
                entriesChecked += await CheckSegmentAsync(previous, seal, findings, ct);
                sealsChecked++;
            }
            previous = seal;
        }
        return new AuditVerification(findings.Count == 0, sealsChecked, entriesChecked, previous?.Sequence,
            findings.OrderBy(f => f.Sequence).ThenBy(f => f.Problem, StringComparer.Ordinal).ToList());
    }

    private async Task<long> CheckSegmentAsync(AuditSealRow? previous, AuditSealRow seal, List<AuditFinding> findings, CancellationToken ct)
    {
        if (seal.PreviousDigest != previous?.Digest)
            findings.Add(new(seal.Sequence, AuditFinding.SealChainBroken,
                $"The seal through {seal.Sequence} does not continue the seal before it ({previous?.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})."));
        var after = previous?.Sequence ?? 0;
        var entries = await store.EntriesAsync(after, seal.Sequence, int.MaxValue, ct);
        var chain = (await store.ChainAsync(after, seal.Sequence, ct)).ToDictionary(c => c.Sequence, c => c.EntryDigest);
        var digest = previous?.Digest ?? AuditDigest.Genesis;
        foreach (var entry in entries)
        {
            var entryDigest = AuditDigest.Of(entry);
            digest = AuditDigest.Chain(digest, entryDigest);
            if (!chain.Remove(entry.Id, out var sealedDigest))
                findings.Add(new(entry.Id, AuditFinding.Inserted, $"Entry {entry.Id} is in the sealed prefix but was not there when it was sealed."));
            else if (sealedDigest != entryDigest)
                findings.Add(new(entry.Id, AuditFinding.Changed, $"Entry {entry.Id} differs from what was sealed."));
        }
        foreach (var missing in chain.Keys)
            findings.Add(new(missing, AuditFinding.Removed, $"Entry {missing} was sealed but is no longer in the log."));
        var count = (previous?.Entries ?? 0) + entries.Count;
        if (digest != seal.Digest || count != seal.Entries)
            findings.Add(new(seal.Sequence, AuditFinding.SealMismatch,
                $"The log through {seal.Sequence} ({count} entries) does not hash to the seal's digest ({seal.Entries} entries)."));
        return entries.Count;
    }
}

using Dapper;

namespace ClaimsService.Data.Audit;

/// <summary>A checkpoint of the chain: the whole log up to and including the entry <see cref="Sequence"/>.</summary>
public sealed class AuditSealRow
{
    public long Sequence { get; set; }
    /// <summary>Entries in the log up to <see cref="Sequence"/>, from the first.</summary>
    public long Entries { get; set; }
    public string Digest { get; set; } = "";
    /// <summary>The digest of the seal before; null for the first seal.</summary>
    public string? PreviousDigest { get; set; }
    public DateTime SealedAt { get; set; }
}

/// <summary>One stored entry digest of the chain.</summary>
public sealed class AuditChainRow
{
    public long Sequence { get; set; }
    public string EntryDigest { get; set; } = "";
}

/// <summary>The seals of the audit chain and the entry digests they cover (audit_seals, audit_chain).</summary>
public sealed class AuditSealStore(Db db)
{
    private const string LatestSql = """
        SELECT sequence, entries, digest, previous_digest, sealed_at FROM audit_seals ORDER BY sequence DESC
        """;

    public Task<AuditSealRow?> LatestAsync(CancellationToken ct) =>
        db.ReadAsync(async (c, t) => Utc((await c.QueryAsync<AuditSealRow>(
            new CommandDefinition(db.Dialect.FirstRows(LatestSql), new { Limit = 1 }, cancellationToken: t))).FirstOrDefault()), ct);

    private const string BetweenSql = """
        SELECT sequence, entries, digest, previous_digest, sealed_at FROM audit_seals
        WHERE sealed_at >= @FromUtc AND sealed_at < @ToUtc ORDER BY sequence
        """;

    /// <summary>Seals taken in [fromUtc, toUtc), oldest first.</summary>
    public Task<IReadOnlyList<AuditSealRow>> BetweenAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<AuditSealRow>)(await c.QueryAsync<AuditSealRow>(
            new CommandDefinition(BetweenSql, new { FromUtc = fromUtc, ToUtc = toUtc }, cancellationToken: t))).Select(Utc).ToList()!, ct);

    private const string AllSql = """
        SELECT sequence, entries, digest, previous_digest, sealed_at FROM audit_seals ORDER BY sequence
        """;

    public Task<IReadOnlyList<AuditSealRow>> AllAsync(CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<AuditSealRow>)(await c.QueryAsync<AuditSealRow>(
            new CommandDefinition(AllSql, cancellationToken: t))).Select(Utc).ToList()!, ct);

    private const string HorizonSql = """
        SELECT MAX(id) FROM audit_log WHERE recorded_at < @HorizonUtc
        """;

    /// <summary>The last sequence recorded before the instant; null when there is none.</summary>
    public Task<long?> LastSequenceBeforeAsync(DateTime horizonUtc, CancellationToken ct) =>
        db.ReadAsync((c, t) => c.ExecuteScalarAsync<long?>(new CommandDefinition(HorizonSql, new { HorizonUtc = horizonUtc }, cancellationToken: t)), ct);

    private const string EntriesSql = $"""
        SELECT {AuditEntryRow.Columns} FROM audit_log l WHERE l.id > @After AND l.id <= @Through ORDER BY l.id
        """;

    /// <summary>Entries in (after, through], in sequence order, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<AuditEntryRow>> EntriesAsync(long after, long through, int limit, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<AuditEntryRow>)(await c.QueryAsync<AuditEntryRow>(new CommandDefinition(
            db.Dialect.FirstRows(EntriesSql), new { After = after, Through = through, Limit = limit }, cancellationToken: t))).AsList(), ct);

    private const string ChainSql = """
        SELECT sequence, entry_digest FROM audit_chain WHERE sequence > @After AND sequence <= @Through ORDER BY sequence
        """;

    /// <summary>The stored entry digests in (after, through], in sequence order.</summary>
    public Task<IReadOnlyList<AuditChainRow>> ChainAsync(long after, long through, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<AuditChainRow>)(await c.QueryAsync<AuditChainRow>(
            new CommandDefinition(ChainSql, new { After = after, Through = through }, cancellationToken: t))).AsList(), ct);

    private const string InsertChainSql = """
        INSERT INTO audit_chain (sequence, entry_digest, seal_sequence) VALUES (@Sequence, @EntryDigest, @SealSequence)
        """;

    private const string InsertSealSql = """
        INSERT INTO audit_seals (sequence, entries, digest, previous_digest, sealed_at) VALUES (@Sequence, @Entries, @Digest, @PreviousDigest, @SealedAt)
        """;

    /// <summary>
    /// Stores a seal and the entry digests it covers, in one transaction. False when another instance sealed any of
    /// these entries first (the primary keys of both tables refuse a second chain over the same entries).
    /// </summary>
    public async Task<bool> InsertAsync(AuditSealRow seal, IReadOnlyList<AuditChainRow> chain, CancellationToken ct)
    {
        try
        {
            await db.InTransactionAsync(async (c, tx, t) =>
            {
                await c.ExecuteAsync(new CommandDefinition(InsertChainSql,
                    chain.Select(r => new { r.Sequence, r.EntryDigest, SealSequence = seal.Sequence }), tx, cancellationToken: t));
                return await c.ExecuteAsync(new CommandDefinition(InsertSealSql, seal, tx, cancellationToken: t));
            }, ct, retry: false);
            return true;
        }
        catch (Exception e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    private static AuditSealRow? Utc(AuditSealRow? row)
    {
        if (row is not null) row.SealedAt = DateTime.SpecifyKind(row.SealedAt, DateTimeKind.Utc);
        return row;
    }
}

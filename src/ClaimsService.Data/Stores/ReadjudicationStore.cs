using System.Runtime.CompilerServices;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>A re-adjudication run as recorded: its request, fingerprint and status (<c>running</c> until every person-year is done).</summary>
public sealed record ReadjudicationRun(string RunId, string RequestHash, string RegionCode, int PolicyYear, string? InsuredId, string Reason,
    string Status, DateTime CreatedAt, DateTime? CompletedAt);

/// <summary>What a run has done so far: person-years examined and changed, top-ups and recoveries (count, fen).</summary>
public sealed record ReadjudicationTotals(long Examined, long Changed, long TopUpCount, long TopUpFen, long RecoveryCount, long RecoveryFen);

/// <summary>One adjustment of a run as exported (api.md "Re-adjudication runs"). Amounts in fen.</summary>
public sealed class RunAdjustmentLine
{
    public string AdjudicationId { get; set; } = "";
    public string SettlementId { get; set; } = "";
    public string HospitalCode { get; set; } = "";
    public string InsuredId { get; set; } = "";
    public long PayoutBeforeFen { get; set; }
    public long PayoutAfterFen { get; set; }
    public long DifferenceFen { get; set; }
    public string CategoryBefore { get; set; } = "";
    public string CategoryAfter { get; set; } = "";
    public string ParameterSetIdBefore { get; set; } = "";
    public int ParameterSetVersionBefore { get; set; }
    public string ParameterSetIdAfter { get; set; } = "";
    public int ParameterSetVersionAfter { get; set; }
}

/// <summary>
/// Re-adjudication runs: SQL only. The run row, the person-years of a region-year still to do (paged by key, never the
/// region in memory), what a run has done, and its adjustments streamed. The person-years themselves are re-priced a chunk
/// at a time in a <see cref="ReadjudicationChunk"/> (<see cref="BeginChunkAsync"/>).
/// </summary>
public sealed class ReadjudicationStore(Db db)
{
    public const string Running = "running";
    public const string Completed = "completed";

    // Composed once per dialect: Dapper hashes the SQL text of every call to find its cached mapping.
    private readonly string _lockedChunkReadsSql = ReadjudicationChunk.Reads(db.Dialect.LockLedgerRangeSql);
    private readonly string _chunkReadsSql = ReadjudicationChunk.Reads(Dialects.SqlDialect.LedgerRangeSql);

    /// <summary>Opens a chunk of a committed run: a connection and a transaction. Run it inside <see cref="Db.RunAsync{T}"/>.</summary>
    public async Task<ReadjudicationChunk> BeginChunkAsync(CancellationToken ct)
    {
        var (connection, transaction) = await db.BeginAsync(ct);
        return new ReadjudicationChunk(db.Dialect, _lockedChunkReadsSql, connection, transaction);
    }

    /// <summary>What a dry run plans a chunk against: the same reads, unlocked, in one round trip.</summary>
    public Task<IReadOnlyList<ChunkRead>> ReadChunkAsync(IReadOnlyList<PersonYearKey> keys, CancellationToken ct) =>
        db.ReadAsync((c, t) => new ReadjudicationChunk(db.Dialect, _chunkReadsSql, c, null).ReadAsync(keys, runId: "", t), ct);

    private const string FindSql = """
        SELECT run_id AS RunId, request_hash AS RequestHash, region_code AS RegionCode, policy_year AS PolicyYear, insured_id AS InsuredId,
               reason AS Reason, status AS Status, created_at AS CreatedAt, completed_at AS CompletedAt
        FROM readjudication_runs WHERE run_id = @RunId
        """;

    public Task<ReadjudicationRun?> FindAsync(string runId, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => await c.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(FindSql, new { RunId = runId }, cancellationToken: t)) is { } r
            ? new ReadjudicationRun(r.RunId, r.RequestHash, r.RegionCode, r.PolicyYear, r.InsuredId, r.Reason, r.Status,
                DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc), r.CompletedAt is { } done ? DateTime.SpecifyKind(done, DateTimeKind.Utc) : null)
            : null, ct);

    private sealed class RunRow
    {
        public string RunId { get; set; } = "";
        public string RequestHash { get; set; } = "";
        public string RegionCode { get; set; } = "";
        public int PolicyYear { get; set; }
        public string? InsuredId { get; set; }
        public string Reason { get; set; } = "";
        public string Status { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public DateTime? CompletedAt { get; set; }
    }

    private sealed class CountRow
    {
        public long Examined { get; set; }
        public long Changed { get; set; }
        public long TopUpCount { get; set; }
        public long TopUpFen { get; set; }
        public long RecoveryCount { get; set; }
        public long RecoveryFen { get; set; }
    }

    private const string InsertSql = """
        INSERT INTO readjudication_runs (run_id, request_hash, region_code, policy_year, insured_id, reason, status, created_by, created_at)
        VALUES (@RunId, @RequestHash, @RegionCode, @PolicyYear, @InsuredId, @Reason, 'running', @CreatedBy, @CreatedAt)
        """;

    /// <summary>Records a new run; false when another request recorded this run id first.</summary>
    public async Task<bool> StartAsync(ReadjudicationRun run, string createdBy, CancellationToken ct)
    {
        try
        {
            await db.InTransactionAsync(async (c, tx, t) => await c.ExecuteAsync(new CommandDefinition(InsertSql, new
            {
                run.RunId, run.RequestHash, run.RegionCode, run.PolicyYear, run.InsuredId, run.Reason, CreatedBy = createdBy, run.CreatedAt,
            }, tx, cancellationToken: t)), ct, retry: false);
            return true;
        }
        catch (Exception e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    private const string CompleteSql = "UPDATE readjudication_runs SET status = 'completed', completed_at = @Now WHERE run_id = @RunId";

    public Task CompleteAsync(string runId, DateTime now, CancellationToken ct) =>
        db.InTransactionAsync((c, tx, t) => c.ExecuteAsync(new CommandDefinition(CompleteSql, new { RunId = runId, Now = now }, tx, cancellationToken: t)), ct);

    // The person-years of a region-year by insured person, one page after another: a range of the ledgers' primary key. Whether
    // this run already did one is read under its lock (ReadjudicationChunk); an anti-join here against everything the run did
    // so far was planned as a hash of it, read again for every page (20 ms a page after 20 000 person-years, bench/readjudication).
    private const string PageSql = """
        SELECT insured_id FROM ledgers
        WHERE region_code = @RegionCode AND policy_year = @PolicyYear AND insured_id > @After
        ORDER BY insured_id
        """;

    /// <summary>The next page of insured persons of the region-year, after <paramref name="after"/>, in key order.</summary>
    public Task<List<string>> PageAsync(string regionCode, int policyYear, string after, int limit, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (await c.QueryAsync<string>(new CommandDefinition(db.Dialect.FirstRows(PageSql),
            new { RegionCode = regionCode, PolicyYear = policyYear, After = after, Limit = limit }, cancellationToken: t))).AsList(), ct);

    private const string HasLedgerSql = "SELECT COUNT(*) FROM ledgers WHERE region_code = @RegionCode AND policy_year = @PolicyYear AND insured_id = @InsuredId";

    /// <summary>Whether the person has a ledger in the region-year (a run limited to one person).</summary>
    public Task<bool> HasLedgerAsync(string regionCode, int policyYear, string insuredId, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => await c.ExecuteScalarAsync<long>(new CommandDefinition(HasLedgerSql,
            new { RegionCode = regionCode, PolicyYear = policyYear, InsuredId = insuredId }, cancellationToken: t)) > 0, ct);

    private const string TotalsSql = """
        SELECT CAST(COUNT(*) AS BIGINT) AS Examined, CAST(COALESCE(SUM(CASE WHEN changed = @True THEN 1 ELSE 0 END), 0) AS BIGINT) AS Changed
        FROM readjudication_person_years WHERE run_id = @RunId;
        SELECT CAST(COALESCE(SUM(CASE WHEN payout_fen > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS TopUpCount,
               CAST(COALESCE(SUM(CASE WHEN payout_fen > 0 THEN payout_fen ELSE 0 END), 0) AS BIGINT) AS TopUpFen,
               CAST(COALESCE(SUM(CASE WHEN payout_fen < 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS RecoveryCount,
               CAST(COALESCE(SUM(CASE WHEN payout_fen < 0 THEN payout_fen ELSE 0 END), 0) AS BIGINT) AS RecoveryFen
        FROM adjudications WHERE run_id = @RunId;
        """;

    /// <summary>What the run has done, from what it wrote (so a resumed run counts each person-year once).</summary>
    public Task<ReadjudicationTotals> TotalsAsync(string runId, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            await using var grid = await c.QueryMultipleAsync(new CommandDefinition(TotalsSql, new { RunId = runId, True = true }, cancellationToken: t));
            var people = await grid.ReadSingleAsync<CountRow>();
            var money = await grid.ReadSingleAsync<CountRow>();
            return new ReadjudicationTotals(people.Examined, people.Changed, money.TopUpCount, money.TopUpFen, money.RecoveryCount, money.RecoveryFen);
        }, ct);

    private const string AdjustmentsSql = """
        SELECT a.id AS AdjudicationId, a.settlement_id AS SettlementId, a.hospital_code AS HospitalCode, a.insured_id AS InsuredId,
               x.payout_before_fen AS PayoutBeforeFen, x.payout_after_fen AS PayoutAfterFen, a.payout_fen AS DifferenceFen,
               x.category_before AS CategoryBefore, a.category AS CategoryAfter,
               x.parameter_set_id_before AS ParameterSetIdBefore, x.parameter_set_version_before AS ParameterSetVersionBefore,
               a.parameter_set_id AS ParameterSetIdAfter, a.parameter_set_version AS ParameterSetVersionAfter
        FROM readjudication_adjustments x
        JOIN adjudications a ON a.id = x.adjudication_id
        WHERE x.run_id = @RunId
        ORDER BY x.adjudication_id
        """;

    /// <summary>The run's adjustments, streamed off one open reader (never all in memory).</summary>
    public async IAsyncEnumerable<RunAdjustmentLine> AdjustmentsAsync(string runId, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenForStreamingAsync(ct);
        await foreach (var line in connection.QueryUnbufferedAsync<RunAdjustmentLine>(AdjustmentsSql, new { RunId = runId }).WithCancellation(ct))
            yield return line;
    }
}

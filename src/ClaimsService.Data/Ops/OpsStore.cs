using ClaimsService.Data.Stores;
using Dapper;

namespace ClaimsService.Data.Ops;

/// <summary>An adjudication or audit entry of the ops window: what it was and when.</summary>
public sealed class OpsEventRow
{
    public string Kind { get; set; } = "";
    public string Outcome { get; set; } = "";
    public DateTime At { get; set; }
}

/// <summary>Adjudications of a period by region, category, kind and sign of the payout (adjustments are top-ups or recoveries). Fen.</summary>
public sealed class OpsPeriodRow
{
    public string RegionCode { get; set; } = "";
    public string Category { get; set; } = "";
    public string Kind { get; set; } = "";
    /// <summary>1 when the payout is negative (a recovery), else 0.</summary>
    public int Negative { get; set; }
    public long Count { get; set; }
    public long PayoutFen { get; set; }
}

/// <summary>Business rejections (audit entries with outcome rejected) of a period by code and hospital.</summary>
public sealed class OpsRejectionRow
{
    public string? Code { get; set; }
    public string? HospitalCode { get; set; }
    public long Count { get; set; }
}

/// <summary>Audit entries that are not adjudications (previews, business rejections) of a business day, by kind and outcome.</summary>
public sealed class OpsAuditDayRow
{
    public string Kind { get; set; } = "";
    public string Outcome { get; set; } = "";
    public long Count { get; set; }
}

/// <summary>
/// The figures behind <c>GET /v1/ops/summary</c>. The SQL is the same on every provider: recent events are fetched
/// (bounded) and bucketed by minute in C#, so no dialect has to truncate timestamps.
/// </summary>
public sealed class OpsStore(Db db)
{
    /// <summary>At most this many rows per table are read for the window; past it the oldest minutes are incomplete.</summary>
    public const int MaxWindowRows = 100_000;

    // adjudicated_at and recorded_at are indexed (0003_ops_indexes): both windows are range scans.
    private const string WindowAdjudicationsSql = """
        SELECT kind AS Kind, 'accepted' AS Outcome, adjudicated_at AS At
        FROM adjudications
        WHERE adjudicated_at >= @Since AND adjudicated_at < @Until
        ORDER BY adjudicated_at DESC
        """;

    private const string WindowAuditSql = """
        SELECT kind AS Kind, outcome AS Outcome, recorded_at AS At
        FROM audit_log
        WHERE recorded_at >= @Since AND recorded_at < @Until AND (kind = @Preview OR outcome = @Rejected)
        ORDER BY recorded_at DESC
        """;

    /// <summary>
    /// Settlements, reversals and adjustments (from <c>adjudications</c>) and previews and rejections (from <c>audit_log</c>)
    /// in [since, until), newest first, and whether either read hit <see cref="MaxWindowRows"/>.
    /// </summary>
    public Task<(IReadOnlyList<OpsEventRow> Events, bool Truncated)> WindowAsync(DateTime since, DateTime until, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var args = new { Since = since, Until = until, Preview = Kinds.Preview, Rejected = "rejected", Limit = MaxWindowRows };
            var adjudications = (await c.QueryAsync<OpsEventRow>(new CommandDefinition(db.Dialect.FirstRows(WindowAdjudicationsSql), args, cancellationToken: t))).AsList();
            var audit = (await c.QueryAsync<OpsEventRow>(new CommandDefinition(db.Dialect.FirstRows(WindowAuditSql), args, cancellationToken: t))).AsList();
            var truncated = adjudications.Count >= MaxWindowRows || audit.Count >= MaxWindowRows;
            adjudications.AddRange(audit);
            adjudications.ForEach(r => r.At = DateTime.SpecifyKind(r.At, DateTimeKind.Utc));
            return ((IReadOnlyList<OpsEventRow>)adjudications, truncated);
        }, ct);

    private const string DayAuditSql = """
        SELECT kind AS Kind, outcome AS Outcome, COUNT(*) AS Count
        FROM audit_log
        WHERE recorded_at >= @Start AND recorded_at < @End AND (kind = @Preview OR outcome = @Rejected)
        GROUP BY kind, outcome
        """;

    private const string PeriodSql = """
        SELECT region_code AS RegionCode, category AS Category, kind AS Kind,
               CASE WHEN payout_fen < 0 THEN 1 ELSE 0 END AS Negative, COUNT(*) AS Count, SUM(payout_fen) AS PayoutFen
        FROM adjudications
        WHERE adjudicated_at >= @Start AND adjudicated_at < @End AND kind <> 'void'
        GROUP BY region_code, category, kind, CASE WHEN payout_fen < 0 THEN 1 ELSE 0 END
        """;

    private const string RejectionsSql = """
        SELECT code AS Code, hospital_code AS HospitalCode, COUNT(*) AS Count
        FROM audit_log
        WHERE recorded_at >= @Start AND recorded_at < @End AND outcome = @Rejected
        GROUP BY code, hospital_code
        """;

    /// <summary>
    /// The business days [from, to] (UTC+8): adjudications by region, category, kind and sign; previews and rejections by kind
    /// and outcome; business rejections by code and hospital.
    /// </summary>
    public Task<(IReadOnlyList<OpsPeriodRow> Adjudications, IReadOnlyList<OpsAuditDayRow> Audit, IReadOnlyList<OpsRejectionRow> Rejections)> PeriodAsync(
        DateOnly from, DateOnly to, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var args = new { Start = BusinessDay.StartUtc(from), End = BusinessDay.StartUtc(to.AddDays(1)), Preview = Kinds.Preview, Rejected = "rejected" };
            var adjudications = (await c.QueryAsync<OpsPeriodRow>(new CommandDefinition(PeriodSql, args, cancellationToken: t))).AsList();
            var audit = (await c.QueryAsync<OpsAuditDayRow>(new CommandDefinition(DayAuditSql, args, cancellationToken: t))).AsList();
            var rejections = (await c.QueryAsync<OpsRejectionRow>(new CommandDefinition(RejectionsSql, args, cancellationToken: t))).AsList();
            return ((IReadOnlyList<OpsPeriodRow>)adjudications, (IReadOnlyList<OpsAuditDayRow>)audit, (IReadOnlyList<OpsRejectionRow>)rejections);
        }, ct);
}

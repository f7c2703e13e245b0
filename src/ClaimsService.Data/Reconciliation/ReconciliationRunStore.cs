using Dapper;

namespace ClaimsService.Data.Reconciliation;

/// <summary>A reconciliation request as recorded for the audit and the ops dashboard.</summary>
public sealed class ReconciliationRunRow
{
    public long Id { get; set; }
    /// <summary>summary, summary_check, statement, detail_check.</summary>
    public string Kind { get; set; } = "";
    public string Caller { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public DateOnly PeriodFrom { get; set; }
    public DateOnly PeriodTo { get; set; }
    /// <summary>match, mismatch, served, incomplete.</summary>
    public string Result { get; set; } = "";
    /// <summary>JSON with the figures behind the result.</summary>
    public string? Details { get; set; }
    public DateTime RecordedAt { get; set; }
}

/// <summary>The record of reconciliation requests.</summary>
public sealed class ReconciliationRunStore(Db db)
{
    private const string InsertSql = """
        INSERT INTO reconciliation_runs (kind, caller, region_code, period_from, period_to, result, details, recorded_at)
        VALUES (@Kind, @Caller, @RegionCode, @PeriodFrom, @PeriodTo, @Result, @Details, @RecordedAt)
        """;

    /// <summary>Records a run once (not retried: a retry could record it twice).</summary>
    public Task RecordAsync(ReconciliationRunRow run, CancellationToken ct) =>
        db.InTransactionAsync((c, tx, t) => c.ExecuteAsync(new CommandDefinition(InsertSql, run, tx, cancellationToken: t)), ct, retry: false);

    private const string RecentSql = """
        SELECT id, kind, caller, region_code, period_from, period_to, result, details, recorded_at
        FROM reconciliation_runs ORDER BY id DESC
        """;

    /// <summary>The latest runs, newest first.</summary>
    public Task<IReadOnlyList<ReconciliationRunRow>> RecentAsync(int limit, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var rows = (await c.QueryAsync<ReconciliationRunRow>(new CommandDefinition(db.Dialect.FirstRows(RecentSql), new { Limit = limit }, cancellationToken: t))).AsList();
            rows.ForEach(r => r.RecordedAt = DateTime.SpecifyKind(r.RecordedAt, DateTimeKind.Utc));
            return (IReadOnlyList<ReconciliationRunRow>)rows;
        }, ct);
}

using Dapper;

namespace ClaimsService.Data.Ops;

/// <summary>One instance's requests of one minute with one outcome and code, and their latency histogram (comma-separated counts).</summary>
public sealed class InstanceMinuteRow
{
    public string InstanceId { get; set; } = "";
    public DateTime MinuteAt { get; set; }
    public string Outcome { get; set; } = "";
    public string Code { get; set; } = "";
    public long Requests { get; set; }
    public string LatencyBuckets { get; set; } = "";
}

/// <summary>Requests of a period by outcome and code, every instance together.</summary>
public sealed class OutcomeCodeRow
{
    public string Outcome { get; set; } = "";
    public string Code { get; set; } = "";
    public long Requests { get; set; }
}

/// <summary>
/// <c>instance_request_minutes</c>: each instance writes only its own rows (its id is unique per process), so an upsert is
/// an UPDATE and, when it touched nothing, an INSERT — the same SQL on every provider, and no race between instances.
/// The rows written are the minute's totals so far, not increments: a flush that is retried or repeated changes nothing.
/// </summary>
public sealed class InstanceMinutesStore(Db db)
{
    private const string UpdateSql = """
        UPDATE instance_request_minutes
        SET requests = @Requests, latency_buckets = @LatencyBuckets, updated_at = @Now
        WHERE instance_id = @InstanceId AND minute_at = @MinuteAt AND outcome = @Outcome AND code = @Code
        """;

    private const string InsertSql = """
        INSERT INTO instance_request_minutes (instance_id, minute_at, outcome, code, requests, latency_buckets, updated_at)
        VALUES (@InstanceId, @MinuteAt, @Outcome, @Code, @Requests, @LatencyBuckets, @Now)
        """;

    /// <summary>Writes the rows (all of one instance) in one transaction; safe to run again.</summary>
    public Task<int> UpsertAsync(IReadOnlyList<InstanceMinuteRow> rows, DateTime now, CancellationToken ct) =>
        rows.Count == 0 ? Task.FromResult(0) : db.InTransactionAsync(async (c, tx, t) =>
        {
            foreach (var row in rows)
            {
                var args = new { row.InstanceId, row.MinuteAt, row.Outcome, row.Code, row.Requests, row.LatencyBuckets, Now = now };
                if (await c.ExecuteAsync(new CommandDefinition(UpdateSql, args, tx, cancellationToken: t)) == 0)
                    await c.ExecuteAsync(new CommandDefinition(InsertSql, args, tx, cancellationToken: t));
            }
            return rows.Count;
        }, ct);

    private const string WindowSql = """
        SELECT instance_id AS InstanceId, minute_at AS MinuteAt, outcome AS Outcome, code AS Code, requests AS Requests,
               latency_buckets AS LatencyBuckets
        FROM instance_request_minutes
        WHERE minute_at >= @Since AND minute_at < @Until
        """;

    /// <summary>Every instance's rows of the minutes in [since, until): at most minutes × instances × outcomes and codes.</summary>
    public Task<IReadOnlyList<InstanceMinuteRow>> WindowAsync(DateTime since, DateTime until, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var rows = (await c.QueryAsync<InstanceMinuteRow>(new CommandDefinition(WindowSql, new { Since = since, Until = until }, cancellationToken: t))).AsList();
            rows.ForEach(r => r.MinuteAt = DateTime.SpecifyKind(r.MinuteAt, DateTimeKind.Utc));
            return (IReadOnlyList<InstanceMinuteRow>)rows;
        }, ct);

    private const string OutcomesSql = """
        SELECT outcome AS Outcome, code AS Code, SUM(requests) AS Requests
        FROM instance_request_minutes
        WHERE minute_at >= @Since AND minute_at < @Until
        GROUP BY outcome, code
        """;

    /// <summary>Requests of every instance in [since, until) by outcome and code.</summary>
    public Task<IReadOnlyList<OutcomeCodeRow>> OutcomesAsync(DateTime since, DateTime until, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
            (IReadOnlyList<OutcomeCodeRow>)(await c.QueryAsync<OutcomeCodeRow>(new CommandDefinition(OutcomesSql, new { Since = since, Until = until }, cancellationToken: t))).AsList(), ct);

    private const string PruneSql = "DELETE FROM instance_request_minutes WHERE minute_at < @Before";

    /// <summary>Deletes every instance's minutes before the instant (retention).</summary>
    public Task<int> PruneAsync(DateTime before, CancellationToken ct) =>
        db.InTransactionAsync((c, tx, t) => c.ExecuteAsync(new CommandDefinition(PruneSql, new { Before = before }, tx, cancellationToken: t)), ct);
}

namespace ClaimsService.Api.Ops;

/// <summary>
/// Everything the dashboard shows, in one answer. Instants are UTC; <c>businessDate</c> is the day in China Standard
/// Time (UTC+8). Parts that need the database are absent while it is unreachable; <c>database</c> says so.
/// </summary>
public sealed record OpsSummary(
    DateTime GeneratedAt, DateOnly BusinessDate, string Instance, ActivitySummary? Activity, LatencySummary Latency, TodaySummary? Today,
    DatabaseState Database, IReadOnlyList<ParameterSetInForce> ParameterSets, IReadOnlyList<ReconciliationResult>? Reconciliation);

/// <summary>Adjudications of every instance over the last <c>windowMinutes</c> minutes, per minute (oldest first) and in all.</summary>
public sealed record ActivitySummary(int WindowMinutes, DateTime From, DateTime To, ActivityCounts Totals, double RejectionRate, bool Truncated,
    IReadOnlyList<ActivityMinute> PerMinute);

/// <summary>
/// <c>settled</c>, <c>reversed</c>, <c>adjusted</c>: adjudications written; <c>previewed</c>: previews answered;
/// <c>rejected</c>: business rejections (settlements and previews) in the audit log.
/// </summary>
public sealed record ActivityCounts(long Settled, long Reversed, long Adjusted, long Previewed, long Rejected)
{
    public long Total => Settled + Reversed + Adjusted + Previewed + Rejected;
}

public sealed record ActivityMinute(DateTime Minute, long Settled, long Reversed, long Adjusted, long Previewed, long Rejected);

/// <summary>
/// This instance's adjudication requests over the last <c>windowMinutes</c> minutes (in-process rolling window): duration
/// percentiles in milliseconds (nearest rank), outcomes, and the error rate (requests that failed with a server error).
/// </summary>
public sealed record LatencySummary(int WindowMinutes, long Count, double? P50Ms, double? P95Ms, double? P99Ms, OutcomeCounts Outcomes,
    double ErrorRate, IReadOnlyList<LatencyMinute> PerMinute);

public sealed record LatencyMinute(DateTime Minute, long Count, double? P50Ms, double? P95Ms, double? P99Ms);

public sealed record OutcomeCounts(long Accepted, long Replayed, long Rejected, long Invalid, long Error);

/// <summary>The business day so far, all instances. Reversal amounts are negative; <c>netPayout</c> is what the fund owes for the day.</summary>
public sealed record TodaySummary(DateOnly Date, CountAmount Settlements, CountAmount Reversals, CountAmount Adjustments, decimal NetPayout,
    long Previews, long Rejections, double RejectionRate, IReadOnlyList<RegionToday> ByRegion);

public sealed record CountAmount(long Count, decimal Amount);

public sealed record RegionToday(string RegionCode, string? Name, long Settlements, decimal SettlementPayout, long Reversals, decimal ReversalPayout,
    decimal AdjustmentPayout, decimal NetPayout);

/// <summary><c>circuitState</c>: Closed, Open, HalfOpen or Isolated (the "claims-db" pipeline's breaker).</summary>
public sealed record DatabaseState(string Provider, bool Reachable, string CircuitState, double? RoundTripMs, string? Detail);

/// <summary>The set in force today for a region that has sets of its own.</summary>
public sealed record ParameterSetInForce(string RegionCode, string Id, int Version, string Name, string? PolicyDocument, DateOnly EffectiveFrom,
    DateTime PublishedAt);

public sealed record ReconciliationResult(long Id, string Kind, string RegionCode, DateOnly From, DateOnly To, string Result, string Caller,
    DateTime RecordedAt);

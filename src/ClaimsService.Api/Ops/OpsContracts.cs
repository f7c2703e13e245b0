namespace ClaimsService.Api.Ops;

/// <summary>
/// Everything the dashboard shows, in one answer. Instants are UTC; <c>businessDate</c> is the day in China Standard
/// Time (UTC+8). Parts that need the database are absent while it is unreachable; <c>database</c> says so.
/// <c>instance</c> is the instance that answered; <c>instances</c> every instance whose figures the summary adds up.
/// <c>period</c> and <c>rejections</c> cover the period asked for (<c>?period=today|month|year</c>); <c>today</c> is always today.
/// </summary>
public sealed record OpsSummary(
    DateTime GeneratedAt, DateOnly BusinessDate, string Instance, ActivitySummary? Activity, LatencySummary Latency, TodaySummary? Today,
    DatabaseState Database, IReadOnlyList<ParameterSetInForce> ParameterSets, IReadOnlyList<ReconciliationResult>? Reconciliation,
    IReadOnlyList<InstanceSeen> Instances, PeriodSummary? Period, RejectionsSummary? Rejections, ParameterSetInForce? NationalTemplate);

/// <summary>An instance heard from in the last hour: its id (name and per-process suffix), its last minute with requests, its requests.</summary>
public sealed record InstanceSeen(string Instance, DateTime LastMinute, long Requests, bool Answering);

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
/// Adjudication requests over the last <c>windowMinutes</c> minutes: duration percentiles in milliseconds, outcomes, and the
/// error rate (requests that failed with a server error). <c>source</c> <c>fleet</c>: every instance's figures from the
/// database, percentiles from their merged latency histograms (interpolated in fixed buckets); <c>instance</c>: the
/// database is unreachable, so only this instance's in-process window (nearest rank over a sample).
/// </summary>
public sealed record LatencySummary(int WindowMinutes, long Count, double? P50Ms, double? P95Ms, double? P99Ms, OutcomeCounts Outcomes,
    double ErrorRate, IReadOnlyList<LatencyMinute> PerMinute, string Source = "instance", int Instances = 1);

public sealed record LatencyMinute(DateTime Minute, long Count, double? P50Ms, double? P95Ms, double? P99Ms);

public sealed record OutcomeCounts(long Accepted, long Replayed, long Rejected, long Invalid, long Error);

/// <summary>The business day so far, all instances. Reversal amounts are negative; <c>netPayout</c> is what the fund owes for the day.</summary>
public sealed record TodaySummary(DateOnly Date, CountAmount Settlements, CountAmount Reversals, CountAmount Adjustments, decimal NetPayout,
    long Previews, long Rejections, double RejectionRate, IReadOnlyList<RegionToday> ByRegion);

public sealed record CountAmount(long Count, decimal Amount);

/// <summary>
/// A region's figures. <c>name</c>/<c>nameZh</c>: the region's own name (GB/T 2260), not its parameter set's; <c>parameterSet</c>
/// the name of the set it is priced with today (its own or its province's). Adjustments split into top-ups (positive) and
/// recoveries (negative).
/// </summary>
public sealed record RegionToday(string RegionCode, string? Name, long Settlements, decimal SettlementPayout, long Reversals, decimal ReversalPayout,
    decimal AdjustmentPayout, decimal NetPayout, string? NameZh = null, string? ProvinceCode = null, string? ParameterSet = null,
    decimal TopUpPayout = 0, decimal RecoveryPayout = 0);

/// <summary>
/// Business days <c>from</c>..<c>to</c> (UTC+8) of the period asked for: <c>today</c>, <c>month</c> (month to date) or <c>year</c>
/// (policy year to date; policy years are calendar years). Adjustments are also split into <c>topUps</c> and <c>recoveries</c>.
/// </summary>
public sealed record PeriodSummary(string Period, DateOnly From, DateOnly To, CountAmount Settlements, CountAmount Reversals, CountAmount Adjustments,
    CountAmount TopUps, CountAmount Recoveries, decimal NetPayout, long Previews, long Rejections, double RejectionRate,
    IReadOnlyList<RegionToday> ByRegion, IReadOnlyList<CategoryPeriod> ByCategory);

/// <summary>A person category's figures in the period (the reconciliation summary's by-category view).</summary>
public sealed record CategoryPeriod(string Category, CountAmount Settlements, CountAmount Reversals, CountAmount TopUps, CountAmount Recoveries,
    decimal NetPayout);

/// <summary>
/// Rejections in the period. <c>byCode</c>, <c>byHospital</c>: business rejections (audit entries, all instances).
/// <c>requests</c>: every 4xx answer of the adjudication endpoints (validation failures, business rejections, unknown
/// settlements) by outcome and problem code, from every instance's flushed figures.
/// </summary>
public sealed record RejectionsSummary(DateOnly From, DateOnly To, long Total, IReadOnlyList<CodeCount> ByCode, IReadOnlyList<HospitalCount> ByHospital,
    IReadOnlyList<RequestCodeCount> Requests);

public sealed record CodeCount(string Code, long Count);

public sealed record HospitalCount(string HospitalCode, long Count);

public sealed record RequestCodeCount(string Outcome, string Code, long Count);

/// <summary><c>circuitState</c>: Closed, Open, HalfOpen or Isolated (the "claims-db" pipeline's breaker).</summary>
public sealed record DatabaseState(string Provider, bool Reachable, string CircuitState, double? RoundTripMs, string? Detail);

/// <summary>
/// The set in force today for a region that has sets of its own, with the region's own name. The national template
/// (000000) is no region: it is never listed here, only as the summary's <c>nationalTemplate</c>.
/// </summary>
public sealed record ParameterSetInForce(string RegionCode, string Id, int Version, string Name, string? PolicyDocument, DateOnly EffectiveFrom,
    DateTime PublishedAt, string? RegionName = null, string? RegionNameZh = null);

public sealed record ReconciliationResult(long Id, string Kind, string RegionCode, DateOnly From, DateOnly To, string Result, string Caller,
    DateTime RecordedAt);

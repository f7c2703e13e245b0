using System.Diagnostics;
using ClaimsService.Api.Parameters;
using ClaimsService.Api.Telemetry;
using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using ClaimsService.Data.Ops;
using ClaimsService.Data.Reconciliation;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;
using Polly.CircuitBreaker;

namespace ClaimsService.Api.Ops;

/// <summary>
/// Puts the ops summary together from the database, so that every instance behind the balancer answers the same: the
/// adjudications and audit entries, and every instance's flushed request figures (this instance's flushed first, so they
/// are current). Only when the database is unreachable does the latency part fall back to this instance's own window.
/// </summary>
public sealed class OpsSummaryBuilder(OpsStore store, InstanceMinutesStore minutes, OpsFlusher flusher, ReconciliationRunStore runs,
    AdjudicationWindow window, ParameterSetCache parameters, RegionNames names, CircuitBreakerStateProvider circuit, SqlDialect dialect, TimeProvider time)
{
    public const int RecentReconciliations = 10;
    private const string Rejected = "rejected";

    public async Task<OpsSummary> BuildAsync(string period, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var today = BusinessDay.Of(now);
        var to = AdjudicationWindow.MinuteOf(now).AddMinutes(1);
        var from = to.AddMinutes(-AdjudicationWindow.Minutes);
        var (periodFrom, periodTo) = OpsPeriod.Range(period, today);

        ActivitySummary? activity = null;
        TodaySummary? day = null;
        PeriodSummary? periodSummary = null;
        RejectionsSummary? rejections = null;
        LatencySummary latency = window.Snapshot();
        IReadOnlyList<InstanceSeen> instances = [new InstanceSeen(flusher.InstanceId, AdjudicationWindow.MinuteOf(now), latency.Count, true)];
        IReadOnlyList<ReconciliationResult>? reconciliation = null;
        string? detail = null;
        double? roundTrip = null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (events, truncated) = await store.WindowAsync(from, to, ct);
            roundTrip = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2);
            activity = Activity(events, from, truncated);
            var todayRows = await store.PeriodAsync(today, today, ct);
            var periodRows = period == OpsPeriod.Today ? todayRows : await store.PeriodAsync(periodFrom, periodTo, ct);
            day = Today(today, todayRows.Adjudications, todayRows.Audit);
            periodSummary = Period(period, periodFrom, periodTo, periodRows.Adjudications, periodRows.Audit, today);

            await flusher.TryFlushAsync(ct);
            var fleet = await minutes.WindowAsync(from, to, ct);
            latency = Fleet(fleet, from);
            instances = Instances(fleet, now);
            var requests = await minutes.OutcomesAsync(BusinessDay.StartUtc(periodFrom), BusinessDay.StartUtc(periodTo.AddDays(1)), ct);
            rejections = Rejections(periodFrom, periodTo, periodRows.Rejections, requests);

            reconciliation = (await runs.RecentAsync(RecentReconciliations, ct))
                .Select(r => new ReconciliationResult(r.Id, r.Kind, r.RegionCode, r.PeriodFrom, r.PeriodTo, r.Result, r.Caller, r.RecordedAt)).ToList();
        }
        catch (DatabaseUnavailableException e)
        {
            detail = e.Message;
        }

        return new OpsSummary(now, today, flusher.InstanceId, activity, latency, day,
            new DatabaseState(dialect.Provider.ToString(), detail is null, circuit.CircuitState.ToString(), roundTrip, detail),
            InForce(today), reconciliation, instances, periodSummary, rejections, Template(today));
    }

    private static ActivitySummary Activity(IReadOnlyList<OpsEventRow> events, DateTime from, bool truncated)
    {
        var perMinuteCounts = new long[AdjudicationWindow.Minutes, 5];
        foreach (var e in events)
        {
            var i = (int)((e.At - from).Ticks / TimeSpan.TicksPerMinute);
            if (i is < 0 or >= AdjudicationWindow.Minutes) continue;
            var column = (e.Kind, e.Outcome) switch
            {
                (_, Rejected) => 4,
                (Kinds.Settlement, _) => 0,
                (Kinds.Reversal, _) => 1,
                (Kinds.Adjustment, _) => 2,
                (Kinds.Preview, _) => 3,
                _ => -1,
            };
            if (column >= 0) perMinuteCounts[i, column]++;
        }
        var perMinute = Enumerable.Range(0, AdjudicationWindow.Minutes)
            .Select(i => new ActivityMinute(from.AddMinutes(i), perMinuteCounts[i, 0], perMinuteCounts[i, 1], perMinuteCounts[i, 2], perMinuteCounts[i, 3], perMinuteCounts[i, 4]))
            .ToList();
        var totals = new ActivityCounts(perMinute.Sum(m => m.Settled), perMinute.Sum(m => m.Reversed), perMinute.Sum(m => m.Adjusted),
            perMinute.Sum(m => m.Previewed), perMinute.Sum(m => m.Rejected));
        return new ActivitySummary(AdjudicationWindow.Minutes, from, from.AddMinutes(AdjudicationWindow.Minutes), totals,
            Rate(totals.Rejected, totals.Settled + totals.Reversed + totals.Previewed + totals.Rejected), truncated, perMinute);
    }

    /// <summary>Every instance's minutes merged: counts add up, and so do the histograms the percentiles are read from.</summary>
    private static LatencySummary Fleet(IReadOnlyList<InstanceMinuteRow> rows, DateTime from)
    {
        var histograms = new long[AdjudicationWindow.Minutes][];
        var counts = new long[AdjudicationWindow.Minutes];
        var all = new long[RequestHistogram.Length];
        var outcomes = new Dictionary<string, long>();
        foreach (var r in rows)
        {
            var i = (int)((r.MinuteAt - from).Ticks / TimeSpan.TicksPerMinute);
            if (i is < 0 or >= AdjudicationWindow.Minutes) continue;
            RequestHistogram.AddTo(histograms[i] ??= new long[RequestHistogram.Length], r.LatencyBuckets);
            RequestHistogram.AddTo(all, r.LatencyBuckets);
            counts[i] += r.Requests;
            outcomes[r.Outcome] = outcomes.GetValueOrDefault(r.Outcome) + r.Requests;
        }
        var perMinute = Enumerable.Range(0, AdjudicationWindow.Minutes).Select(i => histograms[i] is { } h
                ? new LatencyMinute(from.AddMinutes(i), counts[i], RequestHistogram.Percentile(h, 0.50), RequestHistogram.Percentile(h, 0.95), RequestHistogram.Percentile(h, 0.99))
                : new LatencyMinute(from.AddMinutes(i), 0, null, null, null))
            .ToList();
        var count = outcomes.Values.Sum();
        var errors = outcomes.GetValueOrDefault(Outcomes.Error);
        return new LatencySummary(AdjudicationWindow.Minutes, count, RequestHistogram.Percentile(all, 0.50), RequestHistogram.Percentile(all, 0.95),
            RequestHistogram.Percentile(all, 0.99),
            new OutcomeCounts(outcomes.GetValueOrDefault(Outcomes.Accepted), outcomes.GetValueOrDefault(Outcomes.Replayed),
                outcomes.GetValueOrDefault(Outcomes.Rejected), outcomes.GetValueOrDefault(Outcomes.Invalid), errors),
            Rate(errors, count), perMinute, "fleet", rows.Select(r => r.InstanceId).Distinct().Count());
    }

    private IReadOnlyList<InstanceSeen> Instances(IReadOnlyList<InstanceMinuteRow> rows, DateTime now)
    {
        var seen = rows.GroupBy(r => r.InstanceId)
            .Select(g => new InstanceSeen(g.Key, g.Max(r => r.MinuteAt), g.Sum(r => r.Requests), g.Key == flusher.InstanceId))
            .ToList();
        if (!seen.Any(s => s.Answering)) seen.Add(new InstanceSeen(flusher.InstanceId, AdjudicationWindow.MinuteOf(now), 0, true));
        return seen.OrderBy(s => s.Instance, StringComparer.Ordinal).ToList();
    }

    private static RejectionsSummary Rejections(DateOnly from, DateOnly to, IReadOnlyList<OpsRejectionRow> audit, IReadOnlyList<OutcomeCodeRow> requests) =>
        new(from, to, audit.Sum(r => r.Count),
            audit.GroupBy(r => r.Code ?? "unknown").Select(g => new CodeCount(g.Key, g.Sum(r => r.Count)))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Code, StringComparer.Ordinal).ToList(),
            audit.GroupBy(r => r.HospitalCode ?? "unknown").Select(g => new HospitalCount(g.Key, g.Sum(r => r.Count)))
                .OrderByDescending(c => c.Count).ThenBy(c => c.HospitalCode, StringComparer.Ordinal).ToList(),
            requests.Where(r => r.Outcome is Outcomes.Rejected or Outcomes.Invalid)
                .Select(r => new RequestCodeCount(r.Outcome, r.Code.Length == 0 ? "unknown" : r.Code, r.Requests))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Code, StringComparer.Ordinal).ToList());

    private static CountAmount Sum(IEnumerable<OpsPeriodRow> rows)
    {
        long count = 0, fen = 0;
        foreach (var r in rows)
        {
            count += r.Count;
            fen += r.PayoutFen;
        }
        return new CountAmount(count, Money.FromFen(fen));
    }

    private static IEnumerable<OpsPeriodRow> OfKind(IEnumerable<OpsPeriodRow> rows, string kind) => rows.Where(r => r.Kind == kind);

    private static IEnumerable<OpsPeriodRow> TopUps(IEnumerable<OpsPeriodRow> rows) => rows.Where(r => r.Kind == Kinds.Adjustment && r.Negative == 0);

    private static IEnumerable<OpsPeriodRow> Recoveries(IEnumerable<OpsPeriodRow> rows) => rows.Where(r => r.Kind == Kinds.Adjustment && r.Negative == 1);

    private TodaySummary Today(DateOnly today, IReadOnlyList<OpsPeriodRow> rows, IReadOnlyList<OpsAuditDayRow> audit)
    {
        var p = Period(OpsPeriod.Today, today, today, rows, audit, today);
        return new TodaySummary(today, p.Settlements, p.Reversals, p.Adjustments, p.NetPayout, p.Previews, p.Rejections, p.RejectionRate, p.ByRegion);
    }

    private PeriodSummary Period(string period, DateOnly from, DateOnly to, IReadOnlyList<OpsPeriodRow> rows, IReadOnlyList<OpsAuditDayRow> audit,
        DateOnly today)
    {
        var settlements = Sum(OfKind(rows, Kinds.Settlement));
        var reversals = Sum(OfKind(rows, Kinds.Reversal));
        var previews = audit.Where(r => r.Kind == Kinds.Preview && r.Outcome != Rejected).Sum(r => r.Count);
        var rejections = audit.Where(r => r.Outcome == Rejected).Sum(r => r.Count);
        var byRegion = rows.GroupBy(r => r.RegionCode).Select(g =>
        {
            var name = names.Of(g.Key);
            var set = parameters.Loaded ? parameters.InForce(g.Key, today) : null;
            var s = Sum(OfKind(g, Kinds.Settlement));
            var r = Sum(OfKind(g, Kinds.Reversal));
            return new RegionToday(g.Key, name?.En, s.Count, s.Amount, r.Count, r.Amount, Sum(OfKind(g, Kinds.Adjustment)).Amount, Sum(g).Amount,
                name?.Zh, name?.ProvinceCode ?? Resolution.ProvinceOf(g.Key), set is { RegionCode: not RegionNames.Template } ? set.Name : null,
                Sum(TopUps(g)).Amount, Sum(Recoveries(g)).Amount);
        }).OrderByDescending(r => r.NetPayout).ThenBy(r => r.RegionCode, StringComparer.Ordinal).ToList();
        var byCategory = rows.GroupBy(r => r.Category).Select(g => new CategoryPeriod(g.Key, Sum(OfKind(g, Kinds.Settlement)), Sum(OfKind(g, Kinds.Reversal)),
            Sum(TopUps(g)), Sum(Recoveries(g)), Sum(g).Amount)).OrderBy(c => c.Category, StringComparer.Ordinal).ToList();
        return new PeriodSummary(period, from, to, settlements, reversals, Sum(OfKind(rows, Kinds.Adjustment)), Sum(TopUps(rows)), Sum(Recoveries(rows)),
            Sum(rows).Amount, previews, rejections, Rate(rejections, settlements.Count + reversals.Count + previews + rejections), byRegion, byCategory);
    }

    private ParameterSetInForce? Map(string region, ParameterSet? s) => s is null || s.RegionCode != region ? null
        : new ParameterSetInForce(region, s.Id, s.Version, s.Name, s.PolicyDocument, s.EffectiveFrom, s.PublishedAt, names.Of(region)?.En, names.Of(region)?.Zh);

    private IReadOnlyList<ParameterSetInForce> InForce(DateOnly today) => parameters.Loaded
        ? parameters.All.Select(s => s.RegionCode).Where(r => r != RegionNames.Template).Distinct().Order(StringComparer.Ordinal)
            .Select(region => Map(region, parameters.InForce(region, today))).OfType<ParameterSetInForce>().ToList()
        : [];

    private ParameterSetInForce? Template(DateOnly today) =>
        parameters.Loaded && parameters.All.Any(s => s.RegionCode == RegionNames.Template) ? Map(RegionNames.Template, parameters.InForce(RegionNames.Template, today)) : null;

    private static double Rate(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}

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

/// <summary>Puts the ops summary together: database figures, this instance's latency window, the breaker and the parameter cache.</summary>
public sealed class OpsSummaryBuilder(OpsStore store, ReconciliationRunStore runs, AdjudicationWindow window, ParameterSetCache parameters,
    CircuitBreakerStateProvider circuit, SqlDialect dialect, TimeProvider time)
{
    public const int RecentReconciliations = 10;

    public async Task<OpsSummary> BuildAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var today = BusinessDay.Of(now);
        var to = AdjudicationWindow.MinuteOf(now).AddMinutes(1);
        var from = to.AddMinutes(-AdjudicationWindow.Minutes);

        ActivitySummary? activity = null;
        TodaySummary? day = null;
        IReadOnlyList<ReconciliationResult>? reconciliation = null;
        string? detail = null;
        double? roundTrip = null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (events, truncated) = await store.WindowAsync(from, to, ct);
            roundTrip = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2);
            activity = Activity(events, from, truncated);
            day = Today(today, await store.DayAsync(today, ct));
            reconciliation = (await runs.RecentAsync(RecentReconciliations, ct))
                .Select(r => new ReconciliationResult(r.Id, r.Kind, r.RegionCode, r.PeriodFrom, r.PeriodTo, r.Result, r.Caller, r.RecordedAt)).ToList();
        }
        catch (DatabaseUnavailableException e)
        {
            detail = e.Message;
        }

        return new OpsSummary(now, today, Environment.MachineName, activity, window.Snapshot(), day,
            new DatabaseState(dialect.Provider.ToString(), detail is null, circuit.CircuitState.ToString(), roundTrip, detail),
            InForce(today), reconciliation);
    }

    private static ActivitySummary Activity(IReadOnlyList<OpsEventRow> events, DateTime from, bool truncated)
    {
        var minutes = new long[AdjudicationWindow.Minutes, 5];
        foreach (var e in events)
        {
            var i = (int)((e.At - from).Ticks / TimeSpan.TicksPerMinute);
            if (i is < 0 or >= AdjudicationWindow.Minutes) continue;
            var column = (e.Kind, e.Outcome) switch
            {
                (_, "rejected") => 4,
                (Kinds.Settlement, _) => 0,
                (Kinds.Reversal, _) => 1,
                (Kinds.Adjustment, _) => 2,
                (Kinds.Preview, _) => 3,
                _ => -1,
            };
            if (column >= 0) minutes[i, column]++;
        }
        var perMinute = Enumerable.Range(0, AdjudicationWindow.Minutes)
            .Select(i => new ActivityMinute(from.AddMinutes(i), minutes[i, 0], minutes[i, 1], minutes[i, 2], minutes[i, 3], minutes[i, 4])).ToList();
        var totals = new ActivityCounts(perMinute.Sum(m => m.Settled), perMinute.Sum(m => m.Reversed), perMinute.Sum(m => m.Adjusted),
            perMinute.Sum(m => m.Previewed), perMinute.Sum(m => m.Rejected));
        return new ActivitySummary(AdjudicationWindow.Minutes, from, from.AddMinutes(AdjudicationWindow.Minutes), totals,
            Rate(totals.Rejected, totals.Settled + totals.Reversed + totals.Previewed + totals.Rejected), truncated, perMinute);
    }

    private TodaySummary Today(DateOnly today, (IReadOnlyList<OpsDayRow> Adjudications, IReadOnlyList<OpsAuditDayRow> Audit) rows)
    {
        CountAmount Of(string kind) => new(rows.Adjudications.Where(r => r.Kind == kind).Sum(r => r.Count),
            Money.FromFen(rows.Adjudications.Where(r => r.Kind == kind).Sum(r => r.PayoutFen)));
        var settlements = Of(Kinds.Settlement);
        var reversals = Of(Kinds.Reversal);
        var previews = rows.Audit.Where(r => r.Kind == Kinds.Preview && r.Outcome != "rejected").Sum(r => r.Count);
        var rejections = rows.Audit.Where(r => r.Outcome == "rejected").Sum(r => r.Count);
        var byRegion = rows.Adjudications.GroupBy(r => r.RegionCode).Select(g =>
        {
            long Fen(string kind) => g.Where(r => r.Kind == kind).Sum(r => r.PayoutFen);
            return new RegionToday(g.Key, parameters.InForce(g.Key, today)?.Name,
                g.Where(r => r.Kind == Kinds.Settlement).Sum(r => r.Count), Money.FromFen(Fen(Kinds.Settlement)),
                g.Where(r => r.Kind == Kinds.Reversal).Sum(r => r.Count), Money.FromFen(Fen(Kinds.Reversal)),
                Money.FromFen(Fen(Kinds.Adjustment)), Money.FromFen(g.Sum(r => r.PayoutFen)));
        }).OrderByDescending(r => r.NetPayout).ThenBy(r => r.RegionCode, StringComparer.Ordinal).ToList();
        return new TodaySummary(today, settlements, reversals, Of(Kinds.Adjustment), Money.FromFen(rows.Adjudications.Sum(r => r.PayoutFen)),
            previews, rejections, Rate(rejections, settlements.Count + reversals.Count + previews + rejections), byRegion);
    }

    private IReadOnlyList<ParameterSetInForce> InForce(DateOnly today) => parameters.Loaded
        ? parameters.All.Select(s => s.RegionCode).Distinct().Order(StringComparer.Ordinal)
            .Select(region => parameters.InForce(region, today) is { } s && s.RegionCode == region
                ? new ParameterSetInForce(region, s.Id, s.Version, s.Name, s.PolicyDocument, s.EffectiveFrom, s.PublishedAt)
                : null)
            .OfType<ParameterSetInForce>().ToList()
        : [];

    private static double Rate(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}

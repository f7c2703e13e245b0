using System.Net;
using System.Net.Http.Json;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Reconciliation;
using ClaimsService.Data.Stores;
using ClaimsService.Integration.Tests.Infrastructure;

namespace ClaimsService.Integration.Tests.Scenarios;

/// <summary>
/// Store reads that the HTTP smoke path does not reach but other features use (the ops dashboard, the audit
/// trail): dialect paging, dates and UTC instants read back as written on each provider.
/// </summary>
public abstract class StoreScenarios(ClaimsAppFactory factory)
{
    protected async Task ReadsTheNewestReconciliationRunsFirstCutToTheLimitAsync()
    {
        var store = factory.Service<ReconciliationRunStore>();
        var start = factory.Time.GetUtcNow().UtcDateTime;
        for (var i = 0; i < 5; i++)
            await store.RecordAsync(new ReconciliationRunRow
            {
                Kind = "summary", Caller = "insurer:store-test", RegionCode = Guilin.Region, PeriodFrom = new DateOnly(2020, 12, 1),
                PeriodTo = new DateOnly(2020, 12, 1 + i), Result = i % 2 == 0 ? "match" : "mismatch", Details = $"{{\"run\":{i}}}",
                RecordedAt = start.AddMinutes(i).AddTicks(1234560),
            }, CancellationToken.None);

        var recent = (await store.RecentAsync(3, CancellationToken.None)).Where(r => r.Caller == "insurer:store-test").ToList();
        Assert.Equal(3, recent.Count);
        Assert.Equal([new DateOnly(2020, 12, 5), new DateOnly(2020, 12, 4), new DateOnly(2020, 12, 3)], recent.Select(r => r.PeriodTo));
        Assert.All(recent, r => Assert.Equal(DateTimeKind.Utc, r.RecordedAt.Kind));
        // Microsecond precision survives on both servers (PostgreSQL keeps microseconds, datetime2(7) ticks).
        Assert.Equal(start.AddMinutes(4).AddTicks(1234560), recent[0].RecordedAt);
        Assert.Equal("{\"run\":4}", recent[0].Details);
    }

    protected async Task KeepsTheAuditTrailOfASettlementInOrderAsync()
    {
        var hospital = Guilin.HospitalClient(factory);
        var (insured, id) = (Guilin.NewInsuredId(), Guilin.NewSettlementId("A"));
        Assert.Equal(HttpStatusCode.OK, (await hospital.PostAsJsonAsync("/v1/settlements/preview", Guilin.Stay(id, insured, 50000m))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, 50000m))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, 50000m))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await hospital.PostAsync($"/v1/settlements/{id}/reversal", JsonContent.Create(new { reason = "audit" }))).StatusCode);

        var trail = await factory.Service<AuditStore>().ForSettlementAsync(Guilin.Hospital, id, CancellationToken.None);
        // The replay left no entry: it had no effect.
        Assert.Equal(["preview", "settlement", "reversal"], trail.Select(e => e.Kind));
        // The UTC wall time as written (SQL Server hands back an unspecified kind: compare the ticks).
        Assert.All(trail, e => Assert.Equal(factory.Time.GetUtcNow().UtcDateTime.Ticks, e.RecordedAt.Ticks));
        Assert.Contains("23800", trail[1].Outputs);
    }
}

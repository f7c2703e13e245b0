using System.Net;
using System.Net.Http.Json;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// Many requests for one person-year at once, on a real PostgreSQL: the ledger row lock serialises them, the
/// idempotency key settles each settlement id once, and every effect has exactly one audit entry.
/// </summary>
public sealed class ConcurrentSettlementTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    private readonly HttpClient _hospital = Guilin.HospitalClient(factory);

    [Fact]
    public async Task FiftySimultaneousStaysOfOnePersonYearPayWhatTheirTotalPaysInOneStay()
    {
        var insured = Guilin.NewInsuredId();
        // 1 000 to 7 713 each, 217 825 in all: the year crosses the deductible and every band.
        var stays = Enumerable.Range(0, 50).Select(i => (Id: Guilin.NewSettlementId("C"), Eligible: 1000m + 137m * i)).ToList();
        var duplicated = stays[17];

        var requests = stays.Select(s => (s.Id, Task: Settle(s.Id, insured, s.Eligible)))
            .Concat(Enumerable.Range(0, 20).Select(_ => (duplicated.Id, Task: Settle(duplicated.Id, insured, duplicated.Eligible))))
            .ToList();
        await Task.WhenAll(requests.Select(r => r.Task));

        var answers = requests.Select(r => (r.Id, Status: r.Task.Result)).ToList();
        Assert.DoesNotContain(answers, a => (int)a.Status >= 500);
        foreach (var group in answers.GroupBy(a => a.Id))
        {
            Assert.Equal(1, group.Count(a => a.Status == HttpStatusCode.Created));
            Assert.All(group.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Contains(a.Status, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        }

        var total = stays.Sum(s => s.Eligible);
        var ledger = await Guilin.LedgerAsync(_hospital, insured);
        Assert.Equal(total, ledger.GetProperty("eligibleToDate").GetDecimal());
        Assert.Equal(Guilin.SingleShotPayout(factory, total), ledger.GetProperty("paidToDate").GetDecimal());
        Assert.Equal(ledger.GetProperty("paidToDate").GetDecimal(), ledger.GetProperty("entries").EnumerateArray().Sum(e => e.GetProperty("payout").GetDecimal()));

        var rows = await AdjudicationsAsync(insured);
        Assert.Equal(stays.Select(s => s.Id).Order(), rows.Select(r => r.SettlementId).Order());
        Assert.Equal(Enumerable.Range(1, 50), rows.Select(r => r.Sequence).Order());
        await AssertOneAuditEntryPerAdjudicationAsync(rows);
    }

    [Fact]
    public async Task TwentySimultaneousCopiesOfOneSettlementSettleItOnce()
    {
        var insured = Guilin.NewInsuredId();
        var id = Guilin.NewSettlementId("D");
        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Settle(id, insured, 50000m)));

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses.Where(s => s != HttpStatusCode.Created), s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        var ledger = await Guilin.LedgerAsync(_hospital, insured);
        Assert.Equal(23800.00m, ledger.GetProperty("paidToDate").GetDecimal());

        var row = Assert.Single(await AdjudicationsAsync(insured));
        Assert.Equal(id, row.SettlementId);
        await AssertOneAuditEntryPerAdjudicationAsync([row]);
    }

    private async Task<HttpStatusCode> Settle(string id, string insured, decimal eligible)
    {
        await Task.Yield();
        using var response = await _hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, eligible));
        return response.StatusCode;
    }

    private async Task<List<(string Id, string SettlementId, int Sequence)>> AdjudicationsAsync(string insured)
    {
        await using var db = await factory.OpenDatabaseAsync();
        return (await db.QueryAsync<(string, string, int)>(
            "SELECT id, settlement_id, sequence FROM adjudications WHERE insured_id = @insured AND kind = 'settlement'", new { insured })).AsList();
    }

    /// <summary>One accepted audit entry per adjudication, and none for the replays (they have no effect).</summary>
    private async Task AssertOneAuditEntryPerAdjudicationAsync(IReadOnlyList<(string Id, string SettlementId, int Sequence)> rows)
    {
        await using var db = await factory.OpenDatabaseAsync();
        var audited = (await db.QueryAsync<(string, string, long)>("""
            SELECT adjudication_id, settlement_id, COUNT(*) FROM audit_log
            WHERE hospital_code = @hospital AND settlement_id = ANY(@ids) AND kind = 'settlement'
            GROUP BY adjudication_id, settlement_id
            """, new { hospital = Guilin.Hospital, ids = rows.Select(r => r.SettlementId).ToArray() })).AsList();
        Assert.Equal(rows.Select(r => (r.Id, r.SettlementId, 1L)).Order(), audited.Order());
    }
}

using System.Net;
using System.Net.Http.Json;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// Many requests for one person-year at once, on a real PostgreSQL: the ledger row lock serialises them, the
/// idempotency key settles each settlement id once, and every effect has exactly one audit entry.
/// </summary>
public abstract class ConcurrentSettlementSuite<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PostgresAppFactory
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
        await AssertOneAuditEntryPerEffectAsync(insured);
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
        await AssertOneAuditEntryPerEffectAsync(insured);
    }

    [Fact]
    public async Task SimultaneousReversalsOfOneStayAmongNewStaysReverseItOnceAndKeepTheLedgerWhole()
    {
        var insured = Guilin.NewInsuredId();
        var (first, second, third) = (Guilin.NewSettlementId("R"), Guilin.NewSettlementId("R"), Guilin.NewSettlementId("R"));
        Assert.Equal(HttpStatusCode.Created, await Settle(first, insured, 50000m));
        Assert.Equal(HttpStatusCode.Created, await Settle(second, insured, 30000m));
        Assert.Equal(HttpStatusCode.Created, await Settle(third, insured, 20000m));

        var fresh = Enumerable.Range(0, 5).Select(_ => Guilin.NewSettlementId("R")).ToList();
        var reversals = Enumerable.Range(0, 10).Select(_ => Reverse(first)).ToList();
        var settlements = fresh.Select(id => Settle(id, insured, 10000m)).ToList();
        await Task.WhenAll(reversals.Concat(settlements));

        Assert.Equal(1, reversals.Count(r => r.Result == HttpStatusCode.Created));
        Assert.All(reversals.Where(r => r.Result != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.OK, r.Result));
        Assert.All(settlements, s => Assert.Equal(HttpStatusCode.Created, s.Result));

        // All stays are general members under one set, so the year pays f(what is still in force).
        var ledger = await Guilin.LedgerAsync(_hospital, insured);
        Assert.Equal(100000m, ledger.GetProperty("eligibleToDate").GetDecimal());
        Assert.Equal(Guilin.SingleShotPayout(factory, 100000m), ledger.GetProperty("paidToDate").GetDecimal());
        Assert.Equal(ledger.GetProperty("paidToDate").GetDecimal(), ledger.GetProperty("entries").EnumerateArray().Sum(e => e.GetProperty("payout").GetDecimal()));
        Assert.Equal(first, Assert.Single(await AdjudicationsAsync(insured, "reversal")).SettlementId);
        await AssertOneAuditEntryPerEffectAsync(insured);
    }

    private async Task<HttpStatusCode> Settle(string id, string insured, decimal eligible)
    {
        await Task.Yield();
        using var response = await _hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, eligible));
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> Reverse(string id)
    {
        await Task.Yield();
        using var response = await _hospital.PostAsJsonAsync($"/v1/settlements/{id}/reversal", new { reason = "simultaneous" });
        return response.StatusCode;
    }

    private async Task<List<(string Id, string SettlementId, int Sequence)>> AdjudicationsAsync(string insured, string kind = "settlement")
    {
        await using var db = await factory.OpenDatabaseAsync();
        return (await db.QueryAsync<(string, string, int)>(
            "SELECT id, settlement_id, sequence FROM adjudications WHERE insured_id = @insured AND kind = @kind", new { insured, kind })).AsList();
    }

    /// <summary>
    /// Every adjudication of the person has exactly one audit entry, and no other entry names its settlements
    /// (replays have no effect, so no entry).
    /// </summary>
    private async Task AssertOneAuditEntryPerEffectAsync(string insured)
    {
        await using var db = await factory.OpenDatabaseAsync();
        var perAdjudication = (await db.QueryAsync<(string, long)>("""
            SELECT a.id, COUNT(l.id) FROM adjudications a LEFT JOIN audit_log l ON l.adjudication_id = a.id
            WHERE a.insured_id = @insured GROUP BY a.id
            """, new { insured })).AsList();
        Assert.NotEmpty(perAdjudication);
        Assert.All(perAdjudication, a => Assert.Equal(1L, a.Item2));
        var entries = await db.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM audit_log
            WHERE hospital_code = @hospital AND settlement_id IN (SELECT settlement_id FROM adjudications WHERE insured_id = @insured)
            """, new { hospital = Guilin.Hospital, insured });
        Assert.Equal(perAdjudication.Count, entries);
    }
}

public sealed class ConcurrentSettlementTests(PostgresAppFactory factory) : ConcurrentSettlementSuite<PostgresAppFactory>(factory);
public sealed class UnbatchedConcurrentSettlementTests(PostgresUnbatchedAppFactory factory) : ConcurrentSettlementSuite<PostgresUnbatchedAppFactory>(factory);

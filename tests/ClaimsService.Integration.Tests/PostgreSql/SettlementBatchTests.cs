using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ClaimsService.Api.Settlements;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// Issue 12 on PostgreSQL: requests that waited while both settlement writers were busy are committed as one batch, planned
/// in memory in arrival order, and that batch is what the same requests give one by one. The writers are held on ledger
/// locks a test connection takes (the second released first by rolling back to a savepoint), so the batch is known.
/// </summary>
public sealed class SettlementBatchTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    private readonly HttpClient _hospital = Guilin.HospitalClient(factory);

    private sealed record Op(string Person, string Key, decimal Eligible, bool Reverse = false);

    // Within one person-year: a second stay (it sees the first: no second deductible), the first again (a replay), the
    // first's key with another body (422), the first reversed (the second re-priced: an adjustment); another person besides.
    private static Op[] Ops(string q, string r, string a, string b, string c) =>
    [
        new(q, a, 50000m), new(q, b, 30000m), new(q, a, 50000m), new(q, a, 60000m), new(q, a, 0m, Reverse: true), new(r, c, 20000m),
    ];

    [Fact]
    public async Task WaitingRequestsCommitAsOneBatchThatEqualsThemOneByOne()
    {
        var pipeline = factory.Service<CommitPipeline>();
        Assert.True(pipeline.Enabled);
        var (p0, p1) = (Guilin.NewInsuredId(), Guilin.NewInsuredId());
        foreach (var p in new[] { p0, p1 }) Assert.Equal(HttpStatusCode.Created, (await Send(new Op(p, Guilin.NewSettlementId(), 1000m))).StatusCode);

        await using var holder = await factory.OpenDatabaseAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT 1 FROM ledgers WHERE insured_id = @p1 FOR UPDATE", new { p1 }, tx);
        await tx.SaveAsync("p0");
        await holder.ExecuteAsync("SELECT 1 FROM ledgers WHERE insured_id = @p0 FOR UPDATE", new { p0 }, tx);
        // Each writer takes one request and waits on its lock.
        var held0 = Send(new Op(p0, Guilin.NewSettlementId(), 1000m));
        await UntilAsync(LockWaitersAsync, 1);
        var held1 = Send(new Op(p1, Guilin.NewSettlementId(), 1000m));
        await UntilAsync(LockWaitersAsync, 2);

        var (q, r) = (Guilin.NewInsuredId(), Guilin.NewInsuredId());
        var ops = Ops(q, r, Guilin.NewSettlementId("A"), Guilin.NewSettlementId("B"), Guilin.NewSettlementId("C"));
        var sent = new List<Task<HttpResponseMessage>>();
        foreach (var op in ops)
        {
            sent.Add(Send(op));
            await UntilAsync(() => Task.FromResult(pipeline.SettlementsWaiting), sent.Count);
        }
        // The first writer goes on: it commits its request, then takes all that waited in one batch.
        await tx.RollbackAsync("p0");
        var batched = await Task.WhenAll(sent);
        await tx.CommitAsync();
        Assert.Equal(HttpStatusCode.Created, (await held0).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await held1).StatusCode);

        var (q2, r2) = (Guilin.NewInsuredId(), Guilin.NewInsuredId());
        var serial = new List<HttpResponseMessage>();
        foreach (var op in Ops(q2, r2, Guilin.NewSettlementId("A"), Guilin.NewSettlementId("B"), Guilin.NewSettlementId("C"))) serial.Add(await Send(op));

        HttpStatusCode[] expected = [HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity,
            HttpStatusCode.Created, HttpStatusCode.Created];
        Assert.Equal(expected, serial.Select(s => s.StatusCode));
        Assert.Equal(expected, batched.Select(s => s.StatusCode));
        Assert.Equal((await batched[0].JsonAsync()).GetProperty("adjudicationId").GetString(), (await batched[2].JsonAsync()).GetProperty("adjudicationId").GetString());

        await using var db = await factory.OpenDatabaseAsync();
        // One transaction wrote every row of the batch and their audit entries.
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("""
            SELECT count(DISTINCT x) FROM (
                SELECT xmin::text AS x FROM adjudications WHERE insured_id IN (@q, @r)
                UNION ALL SELECT l.xmin::text FROM audit_log l JOIN adjudications a ON a.id = l.adjudication_id WHERE a.insured_id IN (@q, @r)
                UNION ALL SELECT xmin::text FROM ledgers WHERE insured_id IN (@q, @r)) t
            """, new { q, r }));
        Assert.Equal(await AuditedRowsAsync(db, q2, r2), await AuditedRowsAsync(db, q, r));
        Assert.Equal(await RowsAsync(db, q2), await RowsAsync(db, q));
        Assert.Equal(await RowsAsync(db, r2), await RowsAsync(db, r));
        Assert.Equal(await LedgerAsync(db, q2), await LedgerAsync(db, q));
        Assert.Equal(await LedgerAsync(db, r2), await LedgerAsync(db, r));
        Assert.Contains("adjustment", await RowsAsync(db, q));
    }

    private Task<HttpResponseMessage> Send(Op op) => op.Reverse
        ? _hospital.PostAsync($"/v1/settlements/{op.Key}/reversal", JsonContent.Create(new { reason = "batch test" }))
        : _hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(op.Key, op.Person, op.Eligible));

    // From a connection of its own: a transaction sees one snapshot of pg_stat_activity, taken when it first reads it.
    private async Task<int> LockWaitersAsync()
    {
        await using var c = await factory.OpenDatabaseAsync();
        return await c.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    }

    private static async Task UntilAsync(Func<Task<int>> value, int expected)
    {
        var clock = Stopwatch.StartNew();
        while (await value() != expected)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"still not {expected} after a minute");
            await Task.Delay(20);
        }
    }

    // Kind, sequence, amounts and the ledger around each row, in sequence order: what serial execution decides.
    private static async Task<string> RowsAsync(NpgsqlConnection db, string insured) => string.Join("\n", await db.QueryAsync<string>("""
        SELECT concat_ws(' ', kind, sequence, eligible_amount_fen, deductible_fen, payout_fen, eligible_before_fen, eligible_after_fen,
            paid_before_fen, paid_after_fen, cap_applied, reversed_by_id IS NOT NULL, related_id IS NOT NULL, category)
        FROM adjudications WHERE insured_id = @insured ORDER BY sequence
        """, new { insured }));

    private static Task<string> LedgerAsync(NpgsqlConnection db, string insured) => db.ExecuteScalarAsync<string>(
        "SELECT concat_ws(' ', eligible_to_date_fen, paid_to_date_fen, version) FROM ledgers WHERE insured_id = @insured", new { insured })!;

    // Each adjudication has exactly one audit entry.
    private static Task<string> AuditedRowsAsync(NpgsqlConnection db, string q, string r) => db.ExecuteScalarAsync<string>("""
        SELECT concat_ws(' ', count(*), count(DISTINCT l.adjudication_id)) FROM audit_log l JOIN adjudications a ON a.id = l.adjudication_id
        WHERE a.insured_id IN (@q, @r)
        """, new { q, r })!;
}

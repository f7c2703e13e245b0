using System.Net;
using System.Net.Http.Json;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// PostgreSQL keeps a prepared statement's generic plan until its tables' statistics change. Plans made while
/// <c>adjudications</c> was empty (a new database; the first minute after a VACUUM) scanned the table for every settlement
/// and preview, and went on scanning it as it grew (bench/README.md, "Plans made on a young table"). Here the service
/// prepares its statements on a vacuumed, empty table (Npgsql's auto-prepare, as deployed), the table then grows by
/// <see cref="Grown"/> rows with no ANALYZE (autovacuum off), and settlements and previews, one by one and in batches, must
/// still find their rows by index: together they read fewer rows by sequential scan than one scan of the grown table.
/// </summary>
public abstract class YoungTablePlanTests(YoungTablePlanTests.Factory factory)
{
    private const int Grown = 20_000;

    /// <summary>Auto-prepared statements on a small pool, so that every connection plans each statement and keeps the plan.</summary>
    public abstract class Factory(bool batching) : PostgresAppFactory(TestPostgres.ServerConnectionString, b =>
    {
        b.MaxAutoPrepare = 32;
        b.AutoPrepareMinUsages = 2;
        b.MaxPoolSize = 3;
    })
    {
        protected override bool Batching => batching;
    }

    public sealed class BatchedFactory() : Factory(batching: true);

    public sealed class UnbatchedFactory() : Factory(batching: false);

    [Fact]
    public async Task SettlementsAndPreviewsPlannedOnAnEmptyTableStillLookUpTheirRowsAfterItGrows()
    {
        var hospital = Guilin.HospitalClient(factory);
        await using (var db = await factory.OpenDatabaseAsync())
        {
            await db.ExecuteAsync("ALTER TABLE adjudications SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)");
            await db.ExecuteAsync("ALTER TABLE ledgers SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)");
            await db.ExecuteAsync("VACUUM ANALYZE adjudications");
            await db.ExecuteAsync("VACUUM ANALYZE ledgers");
        }

        // Previews first (a region going live: hospitals try the service before they settle), alone and in bursts, enough
        // for every pooled connection to prepare and plan each of their statements while the table is empty.
        await TrafficAsync(hospital, rounds: 12, settle: false);

        await using (var db = await factory.OpenDatabaseAsync())
        {
            Assert.Equal(0, await db.ExecuteScalarAsync<long>("SELECT pg_relation_size('adjudications')"));
            Assert.Equal(HttpStatusCode.Created, (await hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(Guilin.NewSettlementId(), Guilin.NewInsuredId(), 20000m))).StatusCode);
            await db.ExecuteAsync("""
                INSERT INTO adjudications
                SELECT r.* FROM (SELECT to_jsonb(a) AS row FROM adjudications a WHERE kind = 'settlement' LIMIT 1) a
                CROSS JOIN generate_series(1, @Grown) g
                CROSS JOIN LATERAL jsonb_populate_record(NULL::adjudications, a.row || jsonb_build_object('id', 'grown-' || g,
                    'idempotency_key', 'grown-' || g, 'settlement_id', 'GROWN-' || g, 'insured_id', lpad(g::text, 18, '9'), 'setl_id', NULL)) r
                """, new { Grown });
        }
        // Read without closing the service's connections (closing them would drop their plans). What they have not reported
        // yet is what the previews read of an empty table and the insert of its one row: next to nothing.
        var before = await SequentialTuplesReadAsync(flushed: false);

        await TrafficAsync(hospital, rounds: 4, settle: true);

        var read = await SequentialTuplesReadAsync(flushed: true) - before;
        Assert.True(read < Grown, $"settlements and previews read {read} rows of adjudications by sequential scan after it grew by {Grown}");
    }

    private static async Task TrafficAsync(HttpClient hospital, int rounds, bool settle)
    {
        for (var round = 0; round < rounds; round++)
        {
            var people = Enumerable.Range(0, 9).Select(_ => Guilin.NewInsuredId()).ToList();
            await SendAsync(hospital, people[..1], settle);
            await SendAsync(hospital, people[1..], settle);
        }
    }

    // Each person's preview, then (when settling) their settlement, the people at once.
    private static async Task SendAsync(HttpClient hospital, List<string> people, bool settle)
    {
        var previewed = await Task.WhenAll(people.Select(p => hospital.PostAsJsonAsync("/v1/settlements/preview", Guilin.Stay(Guilin.NewSettlementId(), p, 10000m))));
        Assert.All(previewed, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        if (!settle) return;
        var settled = await Task.WhenAll(people.Select(p => hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(Guilin.NewSettlementId(), p, 30000m))));
        Assert.All(settled, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
    }

    // A backend reports its table statistics when it ends (or later, when idle). Flushed: close the service's connections
    // first (the idle ones through the pool; one a background loop holds, from the server) and wait until they are gone.
    private async Task<long> SequentialTuplesReadAsync(bool flushed)
    {
        await using var db = await factory.OpenDatabaseAsync();
        const string Others = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
        var service = flushed ? (await db.QueryAsync<int>(Others)).ToArray() : [];
        if (flushed) NpgsqlConnection.ClearPool(db);
        for (var waited = 0; (await db.QueryAsync<int>(Others)).Intersect(service).Any(); waited++)
        {
            if (waited == 50) await db.ExecuteAsync("SELECT pg_terminate_backend(p) FROM unnest(@service) p", new { service });
            Assert.True(waited < 600, "the service's connections did not close within a minute");
            await Task.Delay(100);
        }
        return await db.ExecuteScalarAsync<long>("SELECT seq_tup_read FROM pg_stat_user_tables WHERE relname = 'adjudications'");
    }
}

public sealed class YoungTablePlanBatchedTests(YoungTablePlanTests.BatchedFactory factory)
    : YoungTablePlanTests(factory), IClassFixture<YoungTablePlanTests.BatchedFactory>;

public sealed class YoungTablePlanUnbatchedTests(YoungTablePlanTests.UnbatchedFactory factory)
    : YoungTablePlanTests(factory), IClassFixture<YoungTablePlanTests.UnbatchedFactory>;

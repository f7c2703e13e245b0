using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Domain;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Npgsql;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// Issue 12: random concurrent streams of settlements and reversals through the commit pipeline (batching on), sharing
/// person-years and settlement ids (same body: a replay; another body: 422), with the writers' connections killed
/// (pg_terminate_backend) while they run. Whatever the batches were, the database must hold what serial execution in
/// commit order gives: replaying each person-year's rows in their sequence through the domain planner reproduces every
/// row and the ledger; every answer is that serial execution's answer for its request; nothing answered is lost; and each
/// adjudication has exactly one audit entry.
/// </summary>
public sealed class BatchedStreamPropertyTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    /// <summary>Settle key <see cref="Key"/> with its body (or, <see cref="OtherBody"/>, a different one), or reverse it.</summary>
    public sealed record Op(bool Reverse, int Key, bool OtherBody)
    {
        public override string ToString() => Reverse ? $"reverse k{Key}" : $"settle k{Key}{(OtherBody ? "'" : "")}";
    }

    /// <summary>Keys are settlement ids bound to a person and an eligible amount; streams run concurrently, each op after the last.</summary>
    public sealed record Scenario(int People, decimal[] Amounts, int[] Owners, Op[][] Streams, bool Kills)
    {
        public override string ToString() =>
            $"{People} people, keys [{string.Join(", ", Amounts.Select((a, i) => $"k{i}:p{Owners[i]}:{a:0}"))}], kills {Kills}, streams " +
            string.Join(" | ", Streams.Select(s => string.Join(" ", s.Select(o => o.ToString()))));
    }

    private static readonly Gen<Scenario> Scenarios =
        from people in Gen.Choose(1, 3)
        from keys in Gen.Choose(2, 8)
        from amounts in Gen.ArrayOf(Gen.Choose(0, 5_000_000).Select(fen => fen / 100m), keys)
        from owners in Gen.ArrayOf(Gen.Choose(0, people - 1), keys)
        from streams in Gen.Choose(2, 6)
        from ops in Gen.ArrayOf(
            from n in Gen.Choose(1, 6)
            from stream in Gen.ArrayOf(Gen.Frequency(
                (5, from k in Gen.Choose(0, keys - 1) from other in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true))) select new Op(false, k, other)),
                (2, Gen.Choose(0, keys - 1).Select(k => new Op(true, k, false)))), n)
            select stream, streams)
        from kills in Gen.Frequency((1, Gen.Constant(false)), (2, Gen.Constant(true)))
        select new Scenario(people, amounts, owners, ops, kills);

    private readonly HttpClient _hospital = Guilin.HospitalClient(factory);

    private sealed record Answer(Op Op, HttpStatusCode Status, JsonElement Body, long SentAt, long AnsweredAt);

    [Property(MaxTest = 12)]
    public Property ConcurrentBatchedStreamsEqualSerialExecutionInCommitOrder() =>
        Prop.ForAll(Arb.From(Scenarios), s => RunAsync(s).GetAwaiter().GetResult());

    private async Task RunAsync(Scenario scenario)
    {
        var people = Enumerable.Range(0, scenario.People).Select(_ => Guilin.NewInsuredId()).ToArray();
        var ids = scenario.Amounts.Select(_ => Guilin.NewSettlementId("B")).ToArray();
        var answers = new ConcurrentQueue<Answer>();
        using var stop = new CancellationTokenSource();
        var killer = scenario.Kills ? KillWritersAsync(stop.Token) : Task.FromResult(0);

        await Task.WhenAll(scenario.Streams.Select(async stream =>
        {
            await Task.Yield();
            foreach (var op in stream) answers.Enqueue(await SendAsync(op, scenario, people, ids));
        }));
        await stop.CancelAsync();
        var kills = await killer;
        // What the run exercised (dotnet test --logger "console;verbosity=detailed" shows it).
        Console.WriteLine($"{scenario}: {answers.Count} answers, {kills} backends terminated, batches of {BatchSizes(factory)}");

        var all = answers.ToList();
        Assert.All(all, a => Assert.True((int)a.Status < 500, $"{a.Op} answered {(int)a.Status}: {a.Body}"));
        var rows = await RowsAsync(people);

        // The ledgers: each person-year replayed serially in commit order (its sequence) gives every row and the ledger.
        var set = Guilin.Set(factory);
        foreach (var person in people)
        {
            var own = rows.Where(r => r.InsuredId == person).OrderBy(r => r.Sequence).ToList();
            Assert.Equal(Enumerable.Range(1, own.Count).Select(i => (long)i), own.Select(r => r.Sequence));
            var state = PersonYearState.Empty;
            var byId = own.ToDictionary(r => r.Id);
            for (var i = 0; i < own.Count;)
            {
                var row = own[i];
                var plan = row.Kind switch
                {
                    "settlement" => Planner.Settle(state, new AdjudicationCommand.Settle(row.Id,
                        new StayCosts(Money.FromFen(row.InPolicyCostFen!.Value), Money.FromFen(row.BasicInsurancePaidFen!.Value)), set, [], false)),
                    "reversal" => Planner.Reverse(state, new AdjudicationCommand.Reverse(row.RelatedId!)),
                    _ => throw new InvalidOperationException($"Row {row.Sequence} ({row.Kind}) does not start a command."),
                };
                foreach (var entry in plan.Entries)
                {
                    var written = own[i++];
                    Assert.Equal(entry.Payout, Money.FromFen(written.PayoutFen));
                    Assert.Equal(entry.EligibleAmount, Money.FromFen(written.EligibleAmountFen));
                    Assert.Equal(entry.After.PaidToDate, Money.FromFen(written.PaidAfterFen));
                    if (entry.Kind == EntryKind.Adjustment) Assert.Equal(byId[entry.StayId].SettlementId, written.SettlementId);
                }
                state = plan.StateAfter;
            }
            var ledger = await Guilin.LedgerAsync(_hospital, person);
            Assert.Equal(state.Ledger.EligibleToDate, ledger.GetProperty("eligibleToDate").GetDecimal());
            Assert.Equal(state.Ledger.PaidToDate, ledger.GetProperty("paidToDate").GetDecimal());
        }

        // The answers: each is what the committed rows (serial execution) answer for its request.
        for (var k = 0; k < ids.Length; k++)
        {
            var settlement = rows.SingleOrDefault(r => r.Kind == "settlement" && r.SettlementId == ids[k]);
            var reversal = rows.SingleOrDefault(r => r.Kind == "reversal" && r.SettlementId == ids[k]);
            var settles = all.Where(a => !a.Op.Reverse && a.Op.Key == k).ToList();
            var reverses = all.Where(a => a.Op.Reverse && a.Op.Key == k).ToList();
            Assert.True(settles.Count(a => a.Status == HttpStatusCode.Created) <= 1, $"k{k} created twice");
            Assert.True(reverses.Count(a => a.Status == HttpStatusCode.Created) <= 1, $"k{k} reversed twice");
            if (settles.Count == 0) Assert.Null(settlement);
            foreach (var a in settles)
            {
                Assert.NotNull(settlement);
                var eligible = Eligible(scenario, k, a.Op.OtherBody);
                if (Money.FromFen(settlement!.EligibleAmountFen) == eligible)
                {
                    Assert.Contains(a.Status, new[] { HttpStatusCode.Created, HttpStatusCode.OK });
                    Assert.Equal(settlement.Id, a.Body.GetProperty("adjudicationId").GetString());
                    Assert.Equal(Money.FromFen(settlement.PayoutFen), a.Body.GetProperty("payout").GetDecimal());
                }
                else
                {
                    Assert.Equal(HttpStatusCode.UnprocessableEntity, a.Status);
                    Assert.Equal("idempotency_key_reused", a.Body.GetProperty("code").GetString());
                }
            }
            foreach (var a in reverses)
            {
                if (a.Status == HttpStatusCode.NotFound)
                {
                    // Serially the reversal ran before the settlement: it was sent before any settle of the key was answered.
                    Assert.DoesNotContain(settles, s => (int)s.Status < 300 && s.AnsweredAt < a.SentAt);
                    continue;
                }
                Assert.Contains(a.Status, new[] { HttpStatusCode.Created, HttpStatusCode.OK });
                Assert.NotNull(reversal);
                Assert.Equal(reversal!.Id, a.Body.GetProperty("adjudicationId").GetString());
                Assert.Equal(Money.FromFen(reversal.PayoutFen), a.Body.GetProperty("payout").GetDecimal());
                var adjustments = rows.Where(r => r.Kind == "adjustment" && r.RelatedId == reversal.Id).OrderBy(r => r.Sequence).ToList();
                Assert.Equal(adjustments.Select(r => (r.Id, Money.FromFen(r.PayoutFen))),
                    a.Body.GetProperty("adjustments").EnumerateArray().Select(j => (j.GetProperty("adjudicationId").GetString()!, j.GetProperty("payout").GetDecimal())));
            }
            if (reverses.All(a => a.Status == HttpStatusCode.NotFound)) Assert.Null(reversal);
        }

        // One audit entry per adjudication, none without its adjudication.
        await using var db = await factory.OpenDatabaseAsync();
        var counts = (await db.QueryAsync<(string, long)>("""
            SELECT a.id, COUNT(l.id) FROM adjudications a LEFT JOIN audit_log l ON l.adjudication_id = a.id
            WHERE a.insured_id = ANY(@people) GROUP BY a.id
            """, new { people })).AsList();
        Assert.All(counts, c => Assert.Equal(1L, c.Item2));
        var orphans = await db.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM audit_log l
            WHERE l.settlement_id = ANY(@ids) AND l.outcome = 'accepted' AND NOT EXISTS (SELECT 1 FROM adjudications a WHERE a.id = l.adjudication_id)
            """, new { ids });
        Assert.Equal(0L, orphans);
    }

    // What the batches were (the claims.batch.size histogram), for the test's output: proof that requests did share batches.
    private static readonly ConcurrentQueue<int> Sizes = new();
    private static readonly System.Diagnostics.Metrics.MeterListener Listener = StartListener();

    private static System.Diagnostics.Metrics.MeterListener StartListener()
    {
        var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Name == Api.Telemetry.ClaimsMetrics.BatchSize) l.EnableMeasurementEvents(instrument); },
        };
        listener.SetMeasurementEventCallback<int>((_, size, tags, _) =>
        {
            foreach (var tag in tags) if (tag is { Key: "queue", Value: "settlements" }) Sizes.Enqueue(size);
        });
        listener.Start();
        return listener;
    }

    private static string BatchSizes(PostgresAppFactory _)
    {
        var sizes = new List<int>();
        while (Sizes.TryDequeue(out var size)) sizes.Add(size);
        return sizes.Count == 0 ? "none" : $"{sizes.Count} batches, mean {sizes.Average():0.0}, max {sizes.Max()}";
    }

    private static decimal Eligible(Scenario s, int key, bool other) => s.Amounts[key] + (other ? 1m : 0m);

    /// <summary>Sends one op as a client would: again, with the same body, while the answer is 503 or 409 settlement_in_flight.</summary>
    private async Task<Answer> SendAsync(Op op, Scenario scenario, string[] people, string[] ids)
    {
        var sentAt = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            using var response = op.Reverse
                ? await _hospital.PostAsJsonAsync($"/v1/settlements/{ids[op.Key]}/reversal", new { reason = "stream" })
                : await _hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(ids[op.Key], people[scenario.Owners[op.Key]], Eligible(scenario, op.Key, op.OtherBody)));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            var retry = response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Conflict;
            if (!retry || attempt == 40) return new Answer(op, response.StatusCode, body, sentAt, Stopwatch.GetTimestamp());
            await Task.Delay(25);
        }
    }

    /// <summary>Terminates the service's busy backends (the writer loops' connections mid-batch) every few tens of milliseconds.</summary>
    private async Task<int> KillWritersAsync(CancellationToken stop)
    {
        var kills = 0;
        await using var db = await factory.OpenDatabaseAsync();
        while (!stop.IsCancellationRequested)
        {
            kills += await db.ExecuteScalarAsync<int>("""
                SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')) k
                """);
            try { await Task.Delay(Random.Shared.Next(20, 80), stop); } catch (OperationCanceledException) { break; }
        }
        return kills;
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Kind { get; set; } = "";
        public string SettlementId { get; set; } = "";
        public string InsuredId { get; set; } = "";
        public long Sequence { get; set; }
        public long EligibleAmountFen { get; set; }
        public long PayoutFen { get; set; }
        public long PaidAfterFen { get; set; }
        public string? RelatedId { get; set; }
        public long? InPolicyCostFen { get; set; }
        public long? BasicInsurancePaidFen { get; set; }
    }

    private async Task<List<Row>> RowsAsync(string[] people)
    {
        await using var db = await factory.OpenDatabaseAsync();
        return (await db.QueryAsync<Row>("""
            SELECT id, kind, settlement_id, insured_id, sequence, eligible_amount_fen, payout_fen, paid_after_fen, related_id,
                   in_policy_cost_fen, basic_insurance_paid_fen
            FROM adjudications WHERE region_code = @region AND insured_id = ANY(@people) AND policy_year = @year
            """, new { region = Guilin.Region, people, year = Guilin.Year })).AsList();
    }
}

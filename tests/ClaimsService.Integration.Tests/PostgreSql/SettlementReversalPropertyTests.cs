using System.Net;
using System.Net.Http.Json;
using ClaimsService.Domain;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// Random sequences of settlements and reversals against the real service on PostgreSQL, each for a fresh person
/// (rules.md "Reversals"): whatever was reversed, and however often, the ledger pays what settling the stays still
/// in force afresh, in their original order, would pay, and the adjudications add up to the ledger.
/// </summary>
public sealed class SettlementReversalPropertyTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    /// <summary>Settle <see cref="Eligible"/>, or reverse the earlier settlement number <see cref="Target"/> (modulo how many there are).</summary>
    public sealed record Step(bool Reverse, decimal Eligible, int Target)
    {
        public override string ToString() => Reverse ? $"reverse #{Target}" : $"settle {Eligible:0.00}";
    }

    // 0 … 60 000 a stay: one stay may stay under the 12 000 deductible, a few cross 40 000 and 60 000.
    private static readonly Gen<Step> Settle = Gen.Choose(0, 6_000_000).Select(fen => new Step(false, fen / 100m, 0));
    private static readonly Gen<Step> Reverse = Gen.Choose(0, 99).Select(target => new Step(true, 0m, target));

    // A first settlement, then up to six steps, reversals about a third of them (repeats included).
    private static readonly Gen<Step[]> Sequences =
        from first in Settle
        from count in Gen.Choose(1, 6)
        from rest in Gen.ArrayOf(Gen.Frequency((2, Settle), (1, Reverse)), count)
        select rest.Prepend(first).ToArray();

    private readonly HttpClient _hospital = Guilin.HospitalClient(factory);

    [Property(MaxTest = 30)]
    public Property LedgerEqualsAFreshReplayOfTheStaysInForceAndTheAdjudicationsAddUpToIt() =>
        Prop.ForAll(Arb.From(Sequences), steps => RunAsync(steps).GetAwaiter().GetResult());

    private async Task RunAsync(Step[] steps)
    {
        var insured = Guilin.NewInsuredId();
        var settled = new List<(string Id, decimal Eligible)>();
        var reversals = new Dictionary<string, string>();
        foreach (var step in steps)
        {
            if (!step.Reverse)
            {
                var id = Guilin.NewSettlementId("P");
                var response = await _hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, step.Eligible));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                settled.Add((id, step.Eligible));
                continue;
            }
            var target = settled[step.Target % settled.Count].Id;
            var reversal = await _hospital.PostAsJsonAsync($"/v1/settlements/{target}/reversal", new { reason = "property test" });
            var reversalId = (await reversal.JsonAsync()).GetProperty("adjudicationId").GetString()!;
            if (reversals.TryGetValue(target, out var first))
            {
                Assert.Equal(HttpStatusCode.OK, reversal.StatusCode);
                Assert.Equal(first, reversalId);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Created, reversal.StatusCode);
                reversals[target] = reversalId;
            }
        }

        var set = Guilin.Set(factory);
        var expected = settled.Where(s => !reversals.ContainsKey(s.Id))
            .Aggregate(PersonYearState.Empty, (state, s) => Planner.Settle(state,
                new AdjudicationCommand.Settle(s.Id, StayCosts.OfEligible(s.Eligible), set, [], false)).StateAfter)
            .Ledger;

        var ledger = await Guilin.LedgerAsync(_hospital, insured);
        Assert.Equal(expected.EligibleToDate, ledger.GetProperty("eligibleToDate").GetDecimal());
        Assert.Equal(expected.PaidToDate, ledger.GetProperty("paidToDate").GetDecimal());

        await using var db = await factory.OpenDatabaseAsync();
        var paidFen = await db.ExecuteScalarAsync<long>("""
            SELECT COALESCE(SUM(payout_fen), 0) FROM adjudications
            WHERE region_code = @region AND insured_id = @insured AND policy_year = @year
            """, new { region = Guilin.Region, insured, year = Guilin.Year });
        Assert.Equal(expected.PaidToDate, Money.FromFen(paidFen));
    }
}

using System.Net;
using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Stores;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>
/// POST /v1/settlements/{id}/reversal: the person-year rolls back to what settling the remaining stays afresh would give,
/// later settlements re-priced as adjustments; replays answer the first reversal.
/// </summary>
public abstract class ReversalApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task ReversingTheOnlySettlementRollsTheLedgerBackToNothing()
    {
        var body = Settlement();
        var settled = await SettleAsync(body);

        var response = await _hospital.PostJsonAsync($"/v1/settlements/{body.SettlementId}/reversal", Reversal());

        var reversal = await response.ShouldBeAsync(HttpStatusCode.Created);
        Assert.False(response.IsReplay());
        Assert.Equal("reversal", reversal.Text("kind"));
        Assert.Equal(-23_800m, reversal.Money("payout"));
        Assert.Equal(-50_000m, reversal.Money("eligibleAmount"));
        Assert.Equal(settled.Text("adjudicationId"), reversal.Text("relatedAdjudicationId"));
        Assert.Empty(reversal.GetProperty("adjustments").EnumerateArray());
        var ledger = await _hospital.LedgerAsync(Guilin, body.InsuredId);
        Assert.Equal((0m, 0m), (ledger.EligibleToDate, ledger.PaidToDate));
        Assert.Equal(["settlement", "reversal"], ledger.Entries.Select(e => e.Text("kind")));
        var read = await (await _hospital.GetAsync($"/v1/settlements/{body.SettlementId}")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(reversal.Text("adjudicationId"), read.Text("reversedBy"));
    }

    [Fact]
    public async Task ReversingTheLatestSettlementLeavesTheEarlierOneAsItWas()
    {
        var person = NewInsuredId();
        await SettleAsync(Settlement(person, 50_000m));
        var later = Settlement(person, 30_000m);
        Assert.Equal(23_000m, (await SettleAsync(later)).Money("payout"));

        var reversal = await ReverseAsync(later.SettlementId);

        Assert.Equal(-23_000m, reversal.Money("payout"));
        Assert.Empty(reversal.GetProperty("adjustments").EnumerateArray());
        var ledger = await _hospital.LedgerAsync(Guilin, person);
        Assert.Equal((50_000m, 23_800m), (ledger.EligibleToDate, ledger.PaidToDate));
    }

    [Fact]
    public async Task ReversingAnEarlierSettlementRepricesTheLaterOneAsAnAdjustment()
    {
        var person = NewInsuredId();
        var earlier = Settlement(person, 50_000m);
        await SettleAsync(earlier);
        var later = Settlement(person, 30_000m);
        // 80 000 cumulative pays 46 800, of which the first stay had 23 800.
        Assert.Equal(23_000m, (await SettleAsync(later)).Money("payout"));

        var reversal = await ReverseAsync(earlier.SettlementId);

        Assert.Equal(-23_800m, reversal.Money("payout"));
        var adjustment = Assert.Single(reversal.GetProperty("adjustments").EnumerateArray());
        Assert.Equal("adjustment", adjustment.Text("kind"));
        Assert.Equal(later.SettlementId, adjustment.Text("settlementId"));
        Assert.Equal(reversal.Text("adjudicationId"), adjustment.Text("relatedAdjudicationId"));
        // Alone, 30 000 pays (30 000 − 12 000) × 60 % = 10 800: the later stay gives back 12 200.
        Assert.Equal(-12_200m, adjustment.Money("payout"));
        var ledger = await _hospital.LedgerAsync(Guilin, person);
        Assert.Equal((30_000m, 10_800m), (ledger.EligibleToDate, ledger.PaidToDate));
        await ShouldMatchAFreshSettlementOfAsync(ledger, 30_000m);
    }

    [Fact]
    public async Task ReversingAMiddleSettlementRepricesEveryLaterOneInOrder()
    {
        var person = NewInsuredId();
        var first = Settlement(person, 10_000m);
        var middle = Settlement(person, 40_000m);
        var last = Settlement(person, 30_000m);
        foreach (var stay in new[] { first, middle, last }) await SettleAsync(stay);

        var reversal = await ReverseAsync(first.SettlementId);

        // The first stay paid nothing (under the deductible), yet it carried the deductible for the others.
        Assert.Equal(0m, reversal.Money("payout"));
        var adjustments = reversal.GetProperty("adjustments").EnumerateArray().Select(a => (a.Text("settlementId"), a.Money("payout"))).ToList();
        // 40 000 alone pays 16 800 (was 23 800); 70 000 pays 38 800, so the last stay 22 000 (was 23 000).
        Assert.Equal([(middle.SettlementId, -7_000m), (last.SettlementId, -1_000m)], adjustments);
        var ledger = await _hospital.LedgerAsync(Guilin, person);
        Assert.Equal((70_000m, 38_800m), (ledger.EligibleToDate, ledger.PaidToDate));
        await ShouldMatchAFreshSettlementOfAsync(ledger, 40_000m, 30_000m);
    }

    [Fact]
    public async Task AfterAReversalTheNextSettlementIsPricedOnTheStaysThatRemain()
    {
        var person = NewInsuredId();
        var earlier = Settlement(person, 50_000m);
        await SettleAsync(earlier);
        await SettleAsync(Settlement(person, 30_000m));
        await ReverseAsync(earlier.SettlementId);

        var next = await SettleAsync(Settlement(person, 20_000m));

        // 50 000 remaining pays 23 800, of which 10 800 is already paid.
        Assert.Equal(30_000m, next.GetProperty("yearToDate").Money("eligibleBefore"));
        Assert.Equal(13_000m, next.Money("payout"));
    }

    [Fact]
    public async Task ReplayingAReversalAnswersTheFirstReversalWithoutRollingBackTwice()
    {
        var person = NewInsuredId();
        var earlier = Settlement(person, 50_000m);
        await SettleAsync(earlier);
        await SettleAsync(Settlement(person, 30_000m));
        var first = await ReverseAsync(earlier.SettlementId);

        var again = await _hospital.PostJsonAsync($"/v1/settlements/{earlier.SettlementId}/reversal", Reversal());

        var replayed = await again.ShouldBeAsync(HttpStatusCode.OK);
        Assert.True(again.IsReplay(), "Idempotent-Replayed: true is missing");
        Assert.Equal(first.Text("adjudicationId"), replayed.Text("adjudicationId"));
        Assert.Equal(-23_800m, replayed.Money("payout"));
        Assert.Equal(first.GetProperty("adjustments")[0].Text("adjudicationId"), Assert.Single(replayed.GetProperty("adjustments").EnumerateArray()).Text("adjudicationId"));
        var ledger = await _hospital.LedgerAsync(Guilin, person);
        Assert.Equal((30_000m, 10_800m), (ledger.EligibleToDate, ledger.PaidToDate));
        Assert.Equal(4, ledger.Entries.Count);
    }

    [Fact]
    public async Task AReversalAndItsAdjustmentsAreAudited()
    {
        var person = NewInsuredId();
        var earlier = Settlement(person, 50_000m);
        await SettleAsync(earlier);
        var later = Settlement(person, 30_000m);
        await SettleAsync(later);

        var reversal = await ReverseAsync(earlier.SettlementId);

        var audit = factory.Service<AuditStore>();
        var ofEarlier = await audit.ForSettlementAsync(GuilinHospital, earlier.SettlementId, CancellationToken.None);
        Assert.Equal(["settlement", "reversal"], ofEarlier.Select(a => a.Kind));
        Assert.Equal(reversal.Text("adjudicationId"), ofEarlier[1].AdjudicationId);
        var ofLater = await audit.ForSettlementAsync(GuilinHospital, later.SettlementId, CancellationToken.None);
        Assert.Equal(["settlement", "adjustment"], ofLater.Select(a => a.Kind));
        Assert.All(ofLater, a => Assert.Equal("accepted", a.Outcome));
        Assert.Equal(reversal.GetProperty("adjustments")[0].Text("adjudicationId"), ofLater[1].AdjudicationId);
    }

    [Fact]
    public async Task ReversingAnUnknownSettlementAnswersSettlementNotFound()
    {
        var settlementId = NewSettlementId();

        var response = await _hospital.PostJsonAsync($"/v1/settlements/{settlementId}/reversal", Reversal());

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");
        Assert.Empty(await factory.Service<AuditStore>().ForSettlementAsync(GuilinHospital, settlementId, CancellationToken.None));
    }

    [Fact]
    public async Task AHospitalCannotReverseAnotherHospitalsSettlement()
    {
        var body = Settlement();
        await SettleAsync(body);

        var response = await factory.ClientFor("hospital", OtherHospital).PostJsonAsync($"/v1/settlements/{body.SettlementId}/reversal", Reversal());

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");
        var ledger = await _hospital.LedgerAsync(Guilin, body.InsuredId);
        Assert.Equal((50_000m, 23_800m), (ledger.EligibleToDate, ledger.PaidToDate));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"reason":"   "}""")]
    [InlineData("""{"reason":42}""")]
    [InlineData("""{"reason":"x""")]
    public async Task AReversalWithoutAReadableReasonIsRefusedAndWritesNothing(string body)
    {
        var settlement = Settlement();
        await SettleAsync(settlement);

        var response = await _hospital.PostRawAsync($"/v1/settlements/{settlement.SettlementId}/reversal", body);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var ledger = await _hospital.LedgerAsync(Guilin, settlement.InsuredId);
        Assert.Equal((50_000m, 23_800m, 1), (ledger.EligibleToDate, ledger.PaidToDate, ledger.Entries.Count));
        var read = await (await _hospital.GetAsync($"/v1/settlements/{settlement.SettlementId}")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.False(read.TryGetProperty("reversedBy", out _));
    }

    private async Task<JsonElement> SettleAsync(SettlementBody body) =>
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

    private async Task<JsonElement> ReverseAsync(string settlementId) =>
        await (await _hospital.PostJsonAsync($"/v1/settlements/{settlementId}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);

    /// <summary>rules.md: a reversal never leaves the ledger in a state a fresh settlement of the remaining stays would not produce.</summary>
    private async Task ShouldMatchAFreshSettlementOfAsync(LedgerView ledger, params decimal[] remaining)
    {
        var fresh = NewInsuredId();
        foreach (var eligible in remaining) await SettleAsync(Settlement(fresh, eligible));
        var expected = await _hospital.LedgerAsync(Guilin, fresh);
        Assert.Equal((expected.EligibleToDate, expected.PaidToDate), (ledger.EligibleToDate, ledger.PaidToDate));
    }
}

public sealed class SqliteReversalApiTests(SqliteAppFactory f) : ReversalApiTests<SqliteAppFactory>(f);

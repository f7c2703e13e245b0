using System.Net;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Stores;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>POST and GET /v1/settlements: pricing, idempotency, hospital scope, business rejections.</summary>
public abstract class SettlementsApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task GuilinStayOfFiftyThousandEligiblePaysTwentyThreeThousandEightHundred()
    {
        var body = Settlement();
        var response = await _hospital.PostJsonAsync("/v1/settlements", body);

        var settled = await response.ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal($"/v1/settlements/{body.SettlementId}", response.Headers.Location?.OriginalString);
        Assert.False(response.IsReplay());
        Assert.Equal("settlement", settled.Text("kind"));
        Assert.Equal(body.SettlementId, settled.Text("settlementId"));
        Assert.Equal(GuilinHospital, settled.Text("hospitalCode"));
        Assert.Equal(Guilin, settled.Text("regionCode"));
        Assert.Equal(body.InsuredId, settled.Text("insuredId"));
        Assert.Equal(2020, settled.GetProperty("policyYear").GetInt32());
        Assert.Equal("general", settled.Text("category"));
        Assert.Equal(Guilin, settled.GetProperty("parameterSet").Text("regionCode"));
        Assert.Equal(50_000m, settled.Money("eligibleAmount"));
        Assert.Equal(12_000m, settled.Money("deductible"));
        Assert.False(settled.GetProperty("capApplied").GetBoolean());
        var ytd = settled.GetProperty("yearToDate");
        Assert.Equal((0m, 50_000m, 0m, 23_800m), (ytd.Money("eligibleBefore"), ytd.Money("eligibleAfter"), ytd.Money("paidBefore"), ytd.Money("paidAfter")));
        Assert.Equal(23_800m, settled.Money("payout"));
        var trace = settled.GetProperty("trace").EnumerateArray().Select(s => (s.Money("from"), s.Money("to"), s.Money("rate"), s.Money("amount"))).ToList();
        Assert.Equal([(12_000m, 40_000m, 0.6m, 16_800m), (40_000m, 50_000m, 0.7m, 7_000m)], trace);
        Assert.Equal(factory.Time.GetUtcNow(), settled.GetProperty("adjudicatedAt").GetDateTimeOffset());
        Assert.False(string.IsNullOrEmpty(settled.Text("adjudicationId")));
    }

    [Fact]
    public async Task ReplayingTheSameSettlementAnswersTheFirstAnswerWithoutPayingTwice()
    {
        var body = Settlement();
        var first = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

        var again = await _hospital.PostJsonAsync("/v1/settlements", body);

        var replayed = await again.ShouldBeAsync(HttpStatusCode.OK);
        Assert.True(again.IsReplay(), "Idempotent-Replayed: true is missing");
        Assert.Equal(first.Text("adjudicationId"), replayed.Text("adjudicationId"));
        Assert.Equal(first.Money("payout"), replayed.Money("payout"));
        Assert.Equal(first.GetProperty("yearToDate").ToString(), replayed.GetProperty("yearToDate").ToString());
        var ledger = await _hospital.LedgerAsync(Guilin, body.InsuredId);
        Assert.Equal((50_000m, 23_800m), (ledger.EligibleToDate, ledger.PaidToDate));
        Assert.Single(ledger.Entries);
    }

    [Fact]
    public async Task ReusingASettlementIdWithADifferentAmountIsRefusedAndChangesNothing()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

        var reused = await _hospital.PostJsonAsync("/v1/settlements", body with { InPolicyCost = body.InPolicyCost + 1m });

        await reused.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        var ledger = await _hospital.LedgerAsync(Guilin, body.InsuredId);
        Assert.Equal((50_000m, 23_800m), (ledger.EligibleToDate, ledger.PaidToDate));
        Assert.Single(ledger.Entries);
    }

    [Fact]
    public async Task ReusingASettlementIdForAnotherPersonIsRefusedAndWritesNothingForThem()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
        var someoneElse = NewInsuredId();

        var reused = await _hospital.PostJsonAsync("/v1/settlements", body with { InsuredId = someoneElse });

        await reused.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        await _hospital.ShouldHaveEmptyLedgerAsync(Guilin, someoneElse);
        Assert.Equal(23_800m, (await _hospital.LedgerAsync(Guilin, body.InsuredId)).PaidToDate);
    }

    [Fact]
    public async Task TheSameSettlementIdFromAnotherHospitalIsAnotherSettlement()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
        var other = factory.ClientFor("hospital", OtherHospital);

        var response = await other.PostJsonAsync("/v1/settlements", body with { InsuredId = NewInsuredId() });

        var settled = await response.ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal(OtherHospital, settled.Text("hospitalCode"));
        Assert.Equal(23_800m, settled.Money("payout"));
    }

    [Fact]
    public async Task ASecondStayInTheSameYearDoesNotPayTheDeductibleAgain()
    {
        var person = NewInsuredId();
        var first = await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(person, eligible: 10_000m))).ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal(0m, first.Money("payout"));

        var second = await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(person, eligible: 40_000m))).ShouldBeAsync(HttpStatusCode.Created);

        // Settled at once, 50 000 pays 23 800: settled one at a time, the stays must sum to it.
        Assert.Equal(23_800m, second.Money("payout"));
        Assert.Equal(10_000m, second.GetProperty("yearToDate").Money("eligibleBefore"));
        var ledger = await _hospital.LedgerAsync(Guilin, person);
        Assert.Equal((50_000m, 23_800m), (ledger.EligibleToDate, ledger.PaidToDate));
        Assert.Equal(2, ledger.Entries.Count);
    }

    [Fact]
    public async Task ANanningStayIsPricedWithTheGuangxiSetBecauseNanningHasNoneOfItsOwn()
    {
        var body = Settlement(NewInsuredId("450103"), regionCode: Nanning);

        var settled = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal(Guangxi, settled.GetProperty("parameterSet").Text("regionCode"));
        Assert.Equal(Nanning, settled.Text("regionCode"));
        // 50 % of 23 328.21 rounded half away from zero; (50 000 − 11 664.11) × 60 % = 23 001.534.
        Assert.Equal(11_664.11m, settled.Money("deductible"));
        Assert.Equal(23_001.53m, settled.Money("payout"));
    }

    [Fact]
    public async Task AnXCheckDigitInLowerCaseIsTheSamePersonAsInUpperCase()
    {
        var upper = Enumerable.Range(0, 200).Select(_ => NewInsuredId()).First(id => id.EndsWith('X'));
        var lower = upper.ToLowerInvariant();
        var body = Settlement(lower, eligible: 10_000m);

        var settled = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
        var replay = await _hospital.PostJsonAsync("/v1/settlements", body with { InsuredId = upper });
        var second = await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(upper, eligible: 40_000m))).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal(upper, settled.Text("insuredId"));
        Assert.True(replay.IsReplay(), "The same stay with the check digit in upper case must replay the first answer");
        Assert.Equal((10_000m, 23_800m), (second.GetProperty("yearToDate").Money("eligibleBefore"), second.Money("payout")));
        Assert.Equal(50_000m, (await _hospital.LedgerAsync(Guilin, lower)).EligibleToDate);
    }

    [Fact]
    public async Task ReadingASettlementAnswersWhatWasAdjudicated()
    {
        var body = Settlement();
        var settled = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

        var read = await (await _hospital.GetAsync($"/v1/settlements/{body.SettlementId}")).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(settled.Text("adjudicationId"), read.Text("adjudicationId"));
        Assert.Equal(23_800m, read.Money("payout"));
        Assert.False(read.TryGetProperty("reversedBy", out _));
    }

    [Fact]
    public async Task AHospitalCannotReadAnotherHospitalsSettlement()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
        var other = factory.ClientFor("hospital", OtherHospital);

        await (await other.GetAsync($"/v1/settlements/{body.SettlementId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");
    }

    [Fact]
    public async Task ReadingAnUnknownSettlementAnswersSettlementNotFound() =>
        await (await _hospital.GetAsync($"/v1/settlements/{NewSettlementId()}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");

    [Fact]
    public async Task ADischargeBeforeAnySetIsInForceIsRejectedAsNoParametersInForceAndAudited()
    {
        // Guilin's set starts 2020-04-01 and Guangxi's 2020-07-09: nothing covers March 2020.
        var body = Settlement() with { AdmissionDate = "2020-03-01", DischargeDate = "2020-03-15" };

        var response = await _hospital.PostJsonAsync("/v1/settlements", body);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "no_parameters_in_force");
        await _hospital.ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
        var audit = Assert.Single(await factory.Service<AuditStore>().ForSettlementAsync(GuilinHospital, body.SettlementId, CancellationToken.None));
        Assert.Equal(("settlement", "rejected", "no_parameters_in_force"), (audit.Kind, audit.Outcome, audit.Code));
        Assert.Null(audit.AdjudicationId);
        Assert.Contains(body.InsuredId, audit.Inputs);
    }

    [Fact]
    public async Task ARegionWithoutAnySetOfItsOwnOrOfItsProvinceIsRejectedAsUnknownRegionAndAudited()
    {
        // Beijing (110000) has no set, and the national template 000000 is never a fallback.
        var body = Settlement(NewInsuredId("110105"), regionCode: "110105");

        var response = await _hospital.PostJsonAsync("/v1/settlements", body);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "unknown_region");
        await _hospital.ShouldHaveEmptyLedgerAsync("110105", body.InsuredId);
        var audit = Assert.Single(await factory.Service<AuditStore>().ForSettlementAsync(GuilinHospital, body.SettlementId, CancellationToken.None));
        Assert.Equal(("rejected", "unknown_region"), (audit.Outcome, audit.Code));
    }

    [Fact]
    public async Task ARejectedSettlementDoesNotUseUpItsSettlementId()
    {
        var body = Settlement() with { AdmissionDate = "2020-03-01", DischargeDate = "2020-03-15" };
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "no_parameters_in_force");

        var corrected = await _hospital.PostJsonAsync("/v1/settlements", body with { AdmissionDate = "2020-10-01", DischargeDate = "2020-10-12" });

        Assert.Equal(23_800m, (await corrected.ShouldBeAsync(HttpStatusCode.Created)).Money("payout"));
    }

    [Fact]
    public async Task ConcurrentCopiesOfOneSettlementPayItOnce()
    {
        var body = Settlement();
        var clients = Enumerable.Range(0, 8).Select(_ => factory.ClientFor("hospital", GuilinHospital)).ToList();

        var responses = await Task.WhenAll(clients.Select(c => c.PostJsonAsync("/v1/settlements", body)));

        // One creates it; the others read its answer, or are told it is in flight.
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict }));
        var ledger = await _hospital.LedgerAsync(Guilin, body.InsuredId);
        Assert.Equal((50_000m, 23_800m), (ledger.EligibleToDate, ledger.PaidToDate));
        Assert.Single(ledger.Entries);
    }

    [Fact]
    public async Task ConcurrentStaysOfOnePersonAddUpAsIfSettledOneAfterAnother()
    {
        var person = NewInsuredId();
        var stays = Enumerable.Range(0, 5).Select(_ => Settlement(person, eligible: 20_000m)).ToList();

        var responses = await Task.WhenAll(stays.Select(s => factory.ClientFor("hospital", GuilinHospital).PostJsonAsync("/v1/settlements", s)));

        var settled = await Task.WhenAll(responses.Select(r => r.ShouldBeAsync(HttpStatusCode.Created)));
        // 100 000 cumulative: 16 800 + 14 000 + 32 000.
        Assert.Equal(62_800m, settled.Sum(s => s.Money("payout")));
        Assert.Equal([0m, 20_000m, 40_000m, 60_000m, 80_000m], settled.Select(s => s.GetProperty("yearToDate").Money("eligibleBefore")).Order());
        var ledger = await _hospital.LedgerAsync(Guilin, person);
        Assert.Equal((100_000m, 62_800m), (ledger.EligibleToDate, ledger.PaidToDate));
    }
}

public sealed class SqliteSettlementsApiTests(SqliteAppFactory f) : SettlementsApiTests<SqliteAppFactory>(f);

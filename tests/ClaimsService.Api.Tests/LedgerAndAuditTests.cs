using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Stores;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>The person-year ledger (GET /v1/ledgers), previews that leave it alone, and the audit row of every adjudication.</summary>
public abstract class LedgerAndAuditTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    private Task<IReadOnlyList<AuditRow>> AuditOfAsync(string settlementId) =>
        factory.Service<AuditStore>().ForSettlementAsync(GuilinHospital, settlementId, CancellationToken.None);

    [Fact]
    public async Task APreviewQuotesThePayoutAndLeavesTheLedgerUntouched()
    {
        var person = NewInsuredId();
        await SettleAsync(Settlement(person, 10_000m));
        var stay = Settlement(person, 40_000m);

        var preview = await (await _hospital.PostJsonAsync("/v1/settlements/preview", stay)).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal("preview", preview.Text("kind"));
        Assert.Equal(23_800m, preview.Money("payout"));
        Assert.Equal((10_000m, 50_000m), (preview.GetProperty("yearToDate").Money("eligibleBefore"), preview.GetProperty("yearToDate").Money("eligibleAfter")));
        var ledger = await _hospital.LedgerAsync(Guilin, person);
        Assert.Equal((10_000m, 0m, 1), (ledger.EligibleToDate, ledger.PaidToDate, ledger.Entries.Count));
        await (await _hospital.GetAsync($"/v1/settlements/{stay.SettlementId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");
    }

    [Fact]
    public async Task APreviewWritesOneAuditRow()
    {
        var stay = Settlement();

        var preview = await (await _hospital.PostJsonAsync("/v1/settlements/preview", stay)).ShouldBeAsync(HttpStatusCode.OK);

        var audit = Assert.Single(await AuditOfAsync(stay.SettlementId));
        Assert.Equal(("preview", "accepted"), (audit.Kind, audit.Outcome));
        Assert.Equal(preview.Text("adjudicationId"), audit.AdjudicationId);
        Assert.Equal(preview.GetProperty("parameterSet").Text("id"), audit.ParameterSetId);
        Assert.Equal(23_800m, JsonDocument.Parse(audit.Outputs!).RootElement.Money("payout"));
    }

    [Fact]
    public async Task APreviewDoesNotUseUpTheSettlementIdAndTheSettlementPaysWhatItQuoted()
    {
        var stay = Settlement();
        var preview = await (await _hospital.PostJsonAsync("/v1/settlements/preview", stay)).ShouldBeAsync(HttpStatusCode.OK);

        var settled = await SettleAsync(stay);

        Assert.Equal(preview.Money("payout"), settled.Money("payout"));
        Assert.NotEqual(preview.Text("adjudicationId"), settled.Text("adjudicationId"));
        Assert.Equal(["preview", "settlement"], (await AuditOfAsync(stay.SettlementId)).Select(a => a.Kind));
    }

    [Fact]
    public async Task APreviewWithNoParametersInForceIsRejectedAndAudited()
    {
        var stay = Settlement() with { AdmissionDate = "2020-02-01", DischargeDate = "2020-02-10" };

        await (await _hospital.PostJsonAsync("/v1/settlements/preview", stay)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "no_parameters_in_force");

        var audit = Assert.Single(await AuditOfAsync(stay.SettlementId));
        Assert.Equal(("preview", "rejected", "no_parameters_in_force"), (audit.Kind, audit.Outcome, audit.Code));
    }

    [Fact]
    public async Task EverySettlementIsAuditedWithItsInputsParametersCategoryAndOutcome()
    {
        var stay = Settlement();

        var settled = await SettleAsync(stay);

        var audit = Assert.Single(await AuditOfAsync(stay.SettlementId));
        Assert.Equal(("settlement", "accepted", null), (audit.Kind, audit.Outcome, audit.Code));
        Assert.Equal(settled.Text("adjudicationId"), audit.AdjudicationId);
        Assert.Equal((GuilinHospital, Guilin), (audit.HospitalCode, audit.RegionCode));
        Assert.Equal(settled.GetProperty("parameterSet").Text("id"), audit.ParameterSetId);
        Assert.Equal(settled.GetProperty("parameterSet").GetProperty("version").GetInt32(), audit.ParameterSetVersion);
        Assert.Equal("general", audit.Category);
        Assert.StartsWith("hospital:", audit.Caller);
        var inputs = JsonDocument.Parse(audit.Inputs).RootElement;
        Assert.Equal((stay.InsuredId, 80_000m, 30_000m), (inputs.Text("insuredId"), inputs.Money("inPolicyCost"), inputs.Money("basicInsurancePaid")));
        Assert.Equal(23_800m, JsonDocument.Parse(audit.Outputs!).RootElement.Money("payout"));
        Assert.Equal(2, JsonDocument.Parse(audit.Trace!).RootElement.GetArrayLength());
        Assert.Equal(factory.Time.GetUtcNow().UtcDateTime, DateTime.SpecifyKind(audit.RecordedAt, DateTimeKind.Utc));
    }

    [Fact]
    public async Task TheLedgerListsEveryAdjudicationInOrderAndTheirPayoutsAddUpToWhatWasPaid()
    {
        var person = NewInsuredId();
        var first = Settlement(person, 50_000m);
        var second = Settlement(person, 30_000m);
        await SettleAsync(first);
        await SettleAsync(second);
        await (await _hospital.PostJsonAsync($"/v1/settlements/{first.SettlementId}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);

        var ledger = await _hospital.LedgerAsync(Guilin, person);

        Assert.Equal(["settlement", "settlement", "reversal", "adjustment"], ledger.Entries.Select(e => e.Text("kind")));
        Assert.Equal([first.SettlementId, second.SettlementId, first.SettlementId, second.SettlementId], ledger.Entries.Select(e => e.Text("settlementId")));
        Assert.Equal(ledger.PaidToDate, ledger.Entries.Sum(e => e.Money("payout")));
        Assert.Equal(ledger.EligibleToDate, ledger.Entries.Sum(e => e.Money("eligibleAmount")));
        Assert.Equal((30_000m, 10_800m), (ledger.EligibleToDate, ledger.PaidToDate));
    }

    [Fact]
    public async Task OpsReadTheSameLedgerAsTheHospital()
    {
        var person = NewInsuredId();
        await SettleAsync(Settlement(person));

        var ledger = await factory.ClientFor("ops").LedgerAsync(Guilin, person);

        Assert.Equal((50_000m, 23_800m, 1), (ledger.EligibleToDate, ledger.PaidToDate, ledger.Entries.Count));
    }

    [Fact]
    public async Task AnotherPolicyYearHasItsOwnLedger()
    {
        var person = NewInsuredId();
        await SettleAsync(Settlement(person));

        await _hospital.ShouldHaveEmptyLedgerAsync(Guilin, person, 2021);
    }

    [Theory]
    [InlineData("450300", "450305198001011230", "2020", "insuredId")]
    [InlineData("4503", "450305198001011237", "2020", "regionCode")]
    [InlineData("450300", "450305198001011237", "1999", "policyYear")]
    public async Task ALedgerIsReadOnlyForAValidRegionPersonAndYear(string region, string insuredId, string year, string field) =>
        await (await _hospital.GetAsync($"/v1/ledgers/{region}/{insuredId}/{year}")).ShouldBeValidationProblemAsync(field);

    [Fact]
    public async Task ALedgerQueryInTheBodyAnswersWhatThePathAnswers()
    {
        var person = NewInsuredId();
        await SettleAsync(Settlement(person));

        var byPath = await (await _hospital.GetAsync($"/v1/ledgers/{Guilin}/{person}/2020")).Content.ReadAsStringAsync();
        var response = await _hospital.PostJsonAsync("/v1/ledgers/query",
            new JsonObject { ["regionCode"] = Guilin, ["insuredId"] = person, ["policyYear"] = 2020 });
        var byBody = await response.ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(byPath, byBody.GetRawText());
        Assert.Equal((50_000m, 23_800m, 1), (byBody.Money("eligibleToDate"), byBody.Money("paidToDate"), byBody.GetProperty("entries").GetArrayLength()));
    }

    [Theory]
    [InlineData("""{ "regionCode": "450300", "insuredId": "450305198001011230", "policyYear": 2020 }""", "insuredId")]
    [InlineData("""{ "regionCode": "4503", "insuredId": "450305198001011237", "policyYear": 2020 }""", "regionCode")]
    [InlineData("""{ "regionCode": "450300", "insuredId": "450305198001011237", "policyYear": 1999 }""", "policyYear")]
    [InlineData("""{ "regionCode": "450300", "insuredId": "450305198001011237" }""", "policyYear")]
    [InlineData("""{ "insuredId": "450305198001011237", "policyYear": 2020 }""", "regionCode")]
    [InlineData("""{ "regionCode": "450300", "insuredId": "450305198001011237", "policyYear": "2020" }""", "policyYear")]
    [InlineData("""{ "regionCode": "450300", "policyYear": 2020, "policyYear": 2021, "insuredId": "450305198001011237" }""", "policyYear")]
    public async Task ALedgerQueryWithABadBodyIsRefusedAndWritesNothing(string body, string field)
    {
        var before = await factory.OfEveryTableAsync();

        await (await _hospital.PostRawAsync("/v1/ledgers/query", body)).ShouldBeValidationProblemAsync(field);

        Assert.Equal(before, await factory.OfEveryTableAsync());
    }

    [Fact]
    public async Task ALedgerQueryIsForHospitalsAndOpsOnly() =>
        await (await factory.ClientFor("insurer", null, Guilin).PostJsonAsync("/v1/ledgers/query",
            new JsonObject { ["regionCode"] = Guilin, ["insuredId"] = NewInsuredId(), ["policyYear"] = 2020 }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");

    private async Task<JsonElement> SettleAsync(SettlementBody body) =>
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
}

public sealed class SqliteLedgerAndAuditTests(SqliteAppFactory f) : LedgerAndAuditTests<SqliteAppFactory>(f);

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Stores;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>api.md "Settlements", national: the platform's identifiers are validated, echoed, audited and answered with the 大病 share as the platform names it.</summary>
public abstract class NationalIdentifiersTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    public static JsonObject National(string? msgid = "MSG-0001", string setlId = "SETL-450300-0001", string region = Guilin) => new()
    {
        ["psn_no"] = "45000012345678901234", ["mdtrt_id"] = "MDTRT-450300-0001", ["setl_id"] = setlId, ["msgid"] = msgid,
        ["med_type"] = "21", ["insuplc_admdvs"] = region, ["mdtrtarea_admvs"] = "450300",
    };

    public static JsonObject WithNational(SettlementBody body, JsonObject national)
    {
        var json = body.ToJson();
        json["national"] = national;
        return json;
    }

    [Fact]
    public async Task TheAnswerEchoesTheIdentifiersAndGivesTheSeriousIllnessShareAsThePlatformNamesIt()
    {
        var body = Settlement();

        var answer = await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National()))).ShouldBeAsync(HttpStatusCode.Created);

        var national = answer.GetProperty("national");
        Assert.Equal(("45000012345678901234", "MDTRT-450300-0001", "SETL-450300-0001", "MSG-0001", "21"),
            (national.Text("psn_no"), national.Text("mdtrt_id"), national.Text("setl_id"), national.Text("msgid"), national.Text("med_type")));
        Assert.Equal(23_800m, national.Money("hifmi_pay"));
        var line = Assert.Single(national.GetProperty("setldetail").EnumerateArray());
        Assert.Equal("390200", line.Text("fund_pay_type"));
        Assert.Equal(50_000m, line.Money("inscp_scp_amt"));
        // Guilin 2020 has no annual cap on file: no limit to state.
        Assert.False(line.TryGetProperty("crt_payb_lmt_amt", out _));
        Assert.Equal(23_800m, line.Money("fund_payamt"));
        Assert.Equal("起付线12000.00；12000.00-40000.00元 60% 16800.00；40000.00-50000.00元 70% 7000.00；本次大病保险支付23800.00", line.Text("setl_proc_info"));
    }

    [Fact]
    public async Task TheCapStillAvailableShrinksWithWhatWasPaidBefore()
    {
        // A region of its own with a 30 000 cap: 10 000 deductible, 50 % above it.
        var set = ParameterSet("450381");
        set["annualCap"] = 30_000m;
        await (await factory.ClientFor("admin").PostJsonAsync("/v1/parameter-sets", set)).ShouldBeAsync(HttpStatusCode.Created);
        var person = NewInsuredId("450381");
        var first = await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(Settlement(person, 50_000m, "450381"),
            National(setlId: "SETL-A1", region: "450381")))).ShouldBeAsync(HttpStatusCode.Created);

        var second = await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(Settlement(person, 30_000m, "450381"), National(setlId: "SETL-A2", region: "450381"))))
            .ShouldBeAsync(HttpStatusCode.Created);

        var (before, after) = (first.GetProperty("national").GetProperty("setldetail")[0], second.GetProperty("national").GetProperty("setldetail")[0]);
        Assert.Equal((30_000m, 20_000m), (before.Money("crt_payb_lmt_amt"), before.Money("fund_payamt")));
        Assert.Equal((10_000m, 10_000m), (after.Money("crt_payb_lmt_amt"), after.Money("fund_payamt")));
        Assert.EndsWith("受年度封顶线或合计报销比例限制；本次大病保险支付10000.00", after.Text("setl_proc_info"));
    }

    [Fact]
    public async Task ARetryWithANewMsgidReplaysTheFirstAnswer()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National("MSG-FIRST")))).ShouldBeAsync(HttpStatusCode.Created);

        var retry = await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National("MSG-RETRY")));

        var answer = await retry.ShouldBeAsync(HttpStatusCode.OK);
        Assert.True(retry.IsReplay());
        Assert.Equal("MSG-FIRST", answer.GetProperty("national").Text("msgid"));
        var audit = await factory.Service<AuditStore>().ForSettlementAsync(GuilinHospital, body.SettlementId, CancellationToken.None);
        Assert.Equal([("accepted", "MSG-FIRST"), ("replayed", "MSG-RETRY")],
            audit.Select(a => (a.Outcome, JsonDocument.Parse(a.Inputs).RootElement.GetProperty("national").Text("msgid"))));
        Assert.Equal(answer.Text("adjudicationId"), audit[1].AdjudicationId);
    }

    [Fact]
    public async Task ARetryWithTheSameMsgidIsNotAuditedAgain()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National("MSG-SAME")))).ShouldBeAsync(HttpStatusCode.Created);

        await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National("MSG-SAME")))).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Single(await factory.Service<AuditStore>().ForSettlementAsync(GuilinHospital, body.SettlementId, CancellationToken.None));
    }

    [Fact]
    public async Task AnotherSetlIdUnderTheSameSettlementIdIsAReusedKey()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National()))).ShouldBeAsync(HttpStatusCode.Created);

        var reused = await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National(setlId: "SETL-OTHER")));

        await reused.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
    }

    [Fact]
    public async Task TheAuditEntryAndTheLedgerCarryTheIdentifiers()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National()))).ShouldBeAsync(HttpStatusCode.Created);

        var audit = Assert.Single(await factory.Service<AuditStore>().ForSettlementAsync(GuilinHospital, body.SettlementId, CancellationToken.None));
        var inputs = JsonDocument.Parse(audit.Inputs).RootElement.GetProperty("national");
        Assert.Equal(("SETL-450300-0001", "MSG-0001"), (inputs.Text("setlId"), inputs.Text("msgid")));
        var ledger = await _hospital.LedgerAsync(Guilin, body.InsuredId);
        Assert.Equal("SETL-450300-0001", Assert.Single(ledger.Entries).GetProperty("national").Text("setl_id"));
    }

    [Fact]
    public async Task AReversalCarriesItsSettlementsIdentifiers()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National()))).ShouldBeAsync(HttpStatusCode.Created);

        var reversal = await (await _hospital.PostJsonAsync($"/v1/settlements/{body.SettlementId}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);

        var national = reversal.GetProperty("national");
        Assert.Equal(("SETL-450300-0001", -23_800m), (national.Text("setl_id"), national.Money("hifmi_pay")));
    }

    [Fact]
    public async Task EveryStatementRowOfTheStayCarriesItsNationalIdentifiers()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", WithNational(body, National(setlId: "SETL-STMT-1")))).ShouldBeAsync(HttpStatusCode.Created);
        await (await _hospital.PostJsonAsync($"/v1/settlements/{body.SettlementId}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);
        var insurer = factory.ClientFor("insurer", null, Guilin);

        var ndjson = await insurer.GetStringAsync("/v1/reconciliation/statement?regionCode=450300&from=2020-12-01&to=2020-12-01&format=ndjson");
        var csv = await insurer.GetStringAsync("/v1/reconciliation/statement?regionCode=450300&from=2020-12-01&to=2020-12-01&format=csv");

        var rows = ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.TryGetProperty("settlementId", out var id) && id.GetString() == body.SettlementId).ToList();
        Assert.Equal(["reversal", "settlement"], rows.Select(r => r.Text("kind")).Order());
        Assert.All(rows, r => Assert.Equal(("SETL-STMT-1", "45000012345678901234", "MDTRT-450300-0001"), (r.Text("setlId"), r.Text("psnNo"), r.Text("mdtrtId"))));
        Assert.EndsWith(",setlId,psnNo,mdtrtId", csv.Split('\n')[0]);
        Assert.Equal(2, csv.Split('\n').Count(l => l.Contains(body.SettlementId, StringComparison.Ordinal) && l.EndsWith(",SETL-STMT-1,45000012345678901234,MDTRT-450300-0001", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WithoutNationalIdentifiersTheAnswerHasNoNationalBlock()
    {
        var answer = await (await _hospital.PostJsonAsync("/v1/settlements", Settlement())).ShouldBeAsync(HttpStatusCode.Created);

        Assert.False(answer.TryGetProperty("national", out _));
    }

    [Theory]
    [InlineData("psn_no", "\"1234567890123456789012345678901\"")]
    [InlineData("psn_no", "null")]
    [InlineData("mdtrt_id", "\"\"")]
    [InlineData("setl_id", "\"SETL 0001\"")]
    [InlineData("setl_id", "\"结算0001\"")]
    [InlineData("msgid", "\"MSG,0001\"")]
    [InlineData("med_type", "\"1234567\"")]
    [InlineData("insuplc_admdvs", "\"450100\"")]
    [InlineData("insuplc_admdvs", "\"4503\"")]
    [InlineData("mdtrtarea_admvs", "\"45030X\"")]
    [InlineData("setl_id", "12345")]
    public async Task ABadNationalIdentifierIsRefusedAndWritesNothing(string field, string value)
    {
        var national = National();
        national[field] = JsonNode.Parse(value);
        var before = await factory.OfEveryTableAsync();

        var response = await _hospital.PostJsonAsync("/v1/settlements", WithNational(Settlement(), national));

        await response.ShouldBeValidationProblemAsync($"national.{field}");
        Assert.Equal(before, await factory.OfEveryTableAsync());
    }
}

public sealed class SqliteNationalIdentifiersTests(SqliteAppFactory f) : NationalIdentifiersTests<SqliteAppFactory>(f);

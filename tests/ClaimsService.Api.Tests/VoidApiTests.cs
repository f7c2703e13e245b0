using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>api.md "Settlements": POST /v1/settlements/{id}/void (冲正, the platform's 2601) reverses what arrived and tombstones what did not.</summary>
public abstract class VoidApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    private static JsonObject Void(string? regionCode = Guilin) => new() { ["reason"] = "HIS timed out; 冲正", ["regionCode"] = regionCode };

    [Fact]
    public async Task AVoidOfASettlementThatNeverArrivedLeavesATombstoneAndTheLateOriginalIsRefusedAndNothingPaid()
    {
        var body = Settlement();

        var tombstone = await (await _hospital.PostJsonAsync($"/v1/settlements/{body.SettlementId}/void", Void())).ShouldBeAsync(HttpStatusCode.Created);
        var late = await _hospital.PostJsonAsync("/v1/settlements", body);

        Assert.Equal(("void", 0m, body.SettlementId), (tombstone.Text("kind"), tombstone.Money("payout"), tombstone.Text("settlementId")));
        var problem = await late.ShouldBeProblemAsync(HttpStatusCode.Conflict, "settlement_voided");
        Assert.StartsWith($"Settlement {body.SettlementId} was voided at 2020-12-01T02:00:00Z", problem.Text("detail"));
        await _hospital.ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
    }

    [Fact]
    public async Task AVoidSentAgainIsReplayedWithTheFirstAnswer()
    {
        var id = NewSettlementId();
        var first = await (await _hospital.PostJsonAsync($"/v1/settlements/{id}/void", Void())).ShouldBeAsync(HttpStatusCode.Created);

        var again = await _hospital.PostJsonAsync($"/v1/settlements/{id}/void", Void());

        var replay = await again.ShouldBeAsync(HttpStatusCode.OK);
        Assert.True(again.IsReplay());
        Assert.Equal(first.Text("adjudicationId"), replay.Text("adjudicationId"));
    }

    [Fact]
    public async Task AVoidOfASettlementThatArrivedReversesItAndIsReplayedAfterwards()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

        var reversal = await (await _hospital.PostJsonAsync($"/v1/settlements/{body.SettlementId}/void", Void())).ShouldBeAsync(HttpStatusCode.Created);
        var again = await _hospital.PostJsonAsync($"/v1/settlements/{body.SettlementId}/void", Void());

        Assert.Equal(("reversal", -23_800m), (reversal.Text("kind"), reversal.Money("payout")));
        Assert.True(again.IsReplay());
        Assert.Equal(reversal.Text("adjudicationId"), (await again.ShouldBeAsync(HttpStatusCode.OK)).Text("adjudicationId"));
        var ledger = await _hospital.LedgerAsync(Guilin, body.InsuredId);
        Assert.Equal((0m, 0m), (ledger.EligibleToDate, ledger.PaidToDate));
    }

    [Fact]
    public async Task ATombstoneIsListedInTheStatementAsVoidAndCountedInNoTotal()
    {
        var insurer = factory.ClientFor("insurer", null, Guilin);
        const string period = "regionCode=450300&from=2020-12-01&to=2020-12-01";
        var before = await (await insurer.GetAsync($"/v1/reconciliation/summary?{period}")).ShouldBeAsync(HttpStatusCode.OK);
        var id = NewSettlementId();

        await (await _hospital.PostJsonAsync($"/v1/settlements/{id}/void", Void())).ShouldBeAsync(HttpStatusCode.Created);

        var after = await (await insurer.GetAsync($"/v1/reconciliation/summary?{period}")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(before.GetProperty("net").GetRawText(), after.GetProperty("net").GetRawText());
        Assert.Equal(before.GetProperty("settlements").GetRawText(), after.GetProperty("settlements").GetRawText());
        var ndjson = await insurer.GetStringAsync($"/v1/reconciliation/statement?{period}&format=ndjson");
        var row = Assert.Single(ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement),
            r => r.TryGetProperty("settlementId", out var s) && s.GetString() == id);
        Assert.Equal(("void", 0m), (row.Text("kind"), row.Money("payout")));
    }

    [Fact]
    public async Task ALateOriginalIsRefusedInChinese()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync($"/v1/settlements/{body.SettlementId}/void", Void())).ShouldBeAsync(HttpStatusCode.Created);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/settlements") { Content = JsonContent(body.ToJson()) };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("zh-CN"));

        var problem = await (await _hospital.SendAsync(request)).ShouldBeProblemAsync(HttpStatusCode.Conflict, "settlement_voided");

        Assert.Equal("此结算号已被冲正。", problem.Text("title"));
        Assert.StartsWith($"结算号 {body.SettlementId} 已于 2020-12-01T02:00:00Z 冲正", problem.Text("detail"));
    }

    [Theory]
    [InlineData("GL-1", """{ }""", "reason")]
    [InlineData("GL-1", """{ "reason": "" }""", "reason")]
    [InlineData("GL-1", """{ "reason": "x", "regionCode": "4503" }""", "regionCode")]
    [InlineData("GL%20one", """{ "reason": "x" }""", "settlementId")]
    [InlineData("GL-1", """{ "reason": 5 }""", "reason")]
    public async Task ABadVoidIsRefusedAndWritesNothing(string settlementId, string body, string field)
    {
        var before = await factory.OfEveryTableAsync();

        await (await _hospital.PostRawAsync($"/v1/settlements/{settlementId}/void", body)).ShouldBeValidationProblemAsync(field);

        Assert.Equal(before, await factory.OfEveryTableAsync());
    }

    private static StringContent JsonContent(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}

public sealed class SqliteVoidApiTests(SqliteAppFactory f) : VoidApiTests<SqliteAppFactory>(f);

using System.Globalization;
using System.Net;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>api.md "Settlements": GET /v1/settlements/{id}/explanation prints the calculation in Chinese, with the answer's figures.</summary>
public abstract class ExplanationTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task TheExplanationPrintsTheCalculationAsTheSettlementSlipDoes()
    {
        var body = Settlement();
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

        var response = await _hospital.GetAsync($"/v1/settlements/{body.SettlementId}/explanation");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("起付线：12000.00元\n", text);
        Assert.Contains("  12000.00-40000.00元 × 60% = 16800.00元\n", text);
        Assert.Contains("  40000.00-50000.00元 × 70% = 7000.00元\n", text);
        Assert.Contains("本次大病保险支付：23800.00元\n", text);
        Assert.Contains("年度累计大病保险支付：0.00元 → 23800.00元\n", text);
        Assert.Contains("政策依据：Guilin 2020", text);
        Assert.DoesNotContain(body.InsuredId, text);
    }

    [Fact]
    public async Task TheExplanationsFiguresEqualTheAnswers()
    {
        var person = NewInsuredId();
        await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(person, 30_000m))).ShouldBeAsync(HttpStatusCode.Created);
        var body = Settlement(person, 45_000m);
        var answer = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

        var text = await _hospital.GetStringAsync($"/v1/settlements/{body.SettlementId}/explanation");

        static string F(decimal d) => d.ToString("0.00", CultureInfo.InvariantCulture);
        var ytd = answer.GetProperty("yearToDate");
        Assert.Contains($"进入大病保险的合规费用：{F(answer.Money("eligibleAmount"))}元\n", text);
        Assert.Contains($"起付线：{F(answer.Money("deductible"))}元\n", text);
        foreach (var step in answer.GetProperty("trace").EnumerateArray())
            Assert.Contains($"  {F(step.Money("from"))}-{F(step.Money("to"))}元 × {(step.Money("rate") * 100m).ToString("0.##", CultureInfo.InvariantCulture)}% = {F(step.Money("amount"))}元\n", text);
        Assert.Contains($"本次大病保险支付：{F(answer.Money("payout"))}元\n", text);
        Assert.Contains($"年度累计合规费用：{F(ytd.Money("eligibleBefore"))}元 → {F(ytd.Money("eligibleAfter"))}元\n", text);
        Assert.Contains($"年度累计大病保险支付：{F(ytd.Money("paidBefore"))}元 → {F(ytd.Money("paidAfter"))}元\n", text);
        // F(75 000) − F(30 000) = (16 800 + 14 000 + 12 000) − 10 800: three bands touched.
        Assert.Equal((32_000m, 3), (answer.Money("payout"), answer.GetProperty("trace").GetArrayLength()));
    }

    [Fact]
    public async Task AnUnknownSettlementHasNoExplanation() =>
        await (await _hospital.GetAsync("/v1/settlements/GL-never/explanation")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");

    [Fact]
    public async Task ABadSettlementIdIsRefused() =>
        await (await _hospital.GetAsync("/v1/settlements/GL%20x/explanation")).ShouldBeValidationProblemAsync("settlementId");
}

public sealed class SqliteExplanationTests(SqliteAppFactory f) : ExplanationTests<SqliteAppFactory>(f);

using System.Net;
using System.Net.Http.Headers;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>api.md "Errors": with Accept-Language: zh-CN every problem's title and detail are Chinese; the code never changes.</summary>
public abstract class LocalizedProblemsTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _hospital = Chinese(factory.ClientFor("hospital", GuilinHospital));

    private static HttpClient Chinese(HttpClient client)
    {
        client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue("zh-CN"));
        return client;
    }

    [Fact]
    public async Task AnInvalidSettlementIsRefusedInChineseAndWritesNothing()
    {
        var body = Settlement() with { InsuredId = WithWrongCheckDigit(NewInsuredId()) };
        var before = await factory.OfEveryTableAsync();

        var problem = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeValidationProblemAsync("insuredId");

        Assert.Equal("请求无效。", problem.Text("title"));
        Assert.Equal("请求中有字段无效，未写入任何数据。", problem.Text("detail"));
        Assert.Equal(before, await factory.OfEveryTableAsync());
    }

    [Fact]
    public async Task AMissingKeyIsRefusedInChinese()
    {
        var anonymous = Chinese(factory.CreateClient());

        var problem = await (await anonymous.GetAsync("/v1/settlements/GL-1")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        Assert.Equal("需要有效的 API 密钥。", problem.Text("title"));
        Assert.Equal("请发送 Authorization: ApiKey <密钥>。", problem.Text("detail"));
    }

    [Fact]
    public async Task AnotherRolesCallIsForbiddenInChinese()
    {
        var problem = await (await _hospital.GetAsync("/v1/ops/summary")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal("此密钥的角色或范围不包括该调用。", problem.Text("title"));
    }

    [Fact]
    public async Task AnUnknownPathAndAnUnknownSettlementAreNotFoundInChinese()
    {
        var path = await (await _hospital.GetAsync("/v1/no-such-thing")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");
        var settlement = await (await _hospital.GetAsync("/v1/settlements/GL-none-such")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");

        Assert.Equal("此路径下没有内容。", path.Text("title"));
        Assert.Equal("本医院没有此结算号的结算。", settlement.Text("title"));
        Assert.Equal("结算号 GL-none-such", settlement.Text("detail"));
    }

    [Fact]
    public async Task NoParametersInForceIsExplainedInChineseWithTheRegionAndDate()
    {
        var body = Settlement() with { AdmissionDate = "2020-03-01", DischargeDate = "2020-03-15" };

        var problem = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "no_parameters_in_force");

        Assert.Equal("出院日期当天该统筹区没有生效的政策参数。", problem.Text("title"));
        Assert.Equal("统筹区 450300 在 2020-03-15 没有生效的政策参数。", problem.Text("detail"));
        await _hospital.ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
    }

    [Fact]
    public async Task AnUnsupportedMediaTypeIsRefusedInChinese()
    {
        var problem = await (await _hospital.PostRawAsync("/v1/settlements", Settlement().ToJson().ToJsonString(), "text/plain"))
            .ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");

        Assert.Equal("不接受此请求体的媒体类型。", problem.Text("title"));
        Assert.StartsWith("JSON 接口只接受 application/json", problem.Text("detail"));
    }

    [Fact]
    public async Task ABodyOverTheLimitIsRefusedInChinese()
    {
        var oversized = new string(' ', 1024 * 1024 + 1);

        var problem = await (await _hospital.PostRawAsync("/v1/settlements", oversized)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        Assert.Equal("请求体过大。", problem.Text("title"));
        Assert.Equal("请求体不得超过 1 MiB。", problem.Text("detail"));
    }

    [Fact]
    public async Task MalformedJsonThroughTheExceptionHandlerIsRefusedInChinese()
    {
        var problem = await (await _hospital.PostRawAsync("/v1/settlements", "{ not json")).ShouldBeValidationProblemAsync("body");

        Assert.Equal("请求无效。", problem.Text("title"));
    }

    [Fact]
    public async Task AProblemForAClientThatAcceptsNoJsonIsStillChineseProblemJson()
    {
        var insurer = Chinese(factory.ClientFor("insurer", null, Guilin));
        insurer.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var problem = await (await insurer.GetAsync("/v1/reconciliation/statement?regionCode=110000&from=2020-10-01&to=2020-10-31&format=csv"))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "region_out_of_scope");

        Assert.Equal("此密钥不覆盖该统筹区。", problem.Text("title"));
        Assert.Equal("统筹区 110000 不在此密钥签约的区划内。", problem.Text("detail"));
    }

    [Fact]
    public async Task WithoutAcceptLanguageProblemsStayEnglish()
    {
        var english = factory.ClientFor("hospital", GuilinHospital);

        var problem = await (await english.GetAsync("/v1/settlements/GL-none-such")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");

        Assert.Equal("No settlement of this hospital has this id.", problem.Text("title"));
        Assert.Equal("settlementId GL-none-such", problem.Text("detail"));
    }
}

public sealed class SqliteLocalizedProblemsTests(SqliteAppFactory f) : LocalizedProblemsTests<SqliteAppFactory>(f);

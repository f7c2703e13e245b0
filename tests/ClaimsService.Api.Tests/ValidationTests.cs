using System.Net;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Stores;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>Every bad settlement body is a 400 validation_failed naming its fields, and writes nothing: no ledger, no audit row.</summary>
public abstract class ValidationTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task MalformedJsonIsRefusedAndWritesNothing()
    {
        var body = Settlement();
        var text = body.ToJson().ToJsonString();

        var response = await _hospital.PostRawAsync("/v1/settlements", text[..^20]);

        await response.ShouldBeValidationProblemAsync("body");
        await ShouldHaveWrittenNothingAsync(body);
    }

    [Fact]
    public async Task AnEmptyBodyIsRefused() =>
        await (await _hospital.PostRawAsync("/v1/settlements", "")).ShouldBeValidationProblemAsync("body");

    [Fact]
    public async Task AnAmountSentAsTextIsRefusedNamingTheField() =>
        await RefusedAsync(b => b["inPolicyCost"] = "eighty thousand", "inPolicyCost");

    [Fact]
    public async Task ANumberInQuotesIsNotReadAsAnAmount() =>
        await RefusedAsync(b => b["basicInsurancePaid"] = "30000.00", "basicInsurancePaid");

    [Fact]
    public async Task ASettlementIdSentAsANumberIsRefused() =>
        await RefusedAsync(b => b["settlementId"] = 123, "settlementId");

    [Fact]
    public async Task AnUnreadableDateIsRefused() =>
        await RefusedAsync(b => b["dischargeDate"] = "12/10/2020", "dischargeDate");

    [Fact]
    public async Task AnEmptyObjectIsRefusedNamingEveryRequiredField()
    {
        var response = await _hospital.PostRawAsync("/v1/settlements", "{}");

        await response.ShouldBeValidationProblemAsync(
            "settlementId", "insuredId", "regionCode", "admissionDate", "dischargeDate", "inPolicyCost", "basicInsurancePaid");
    }

    [Theory]
    [InlineData("settlementId")]
    [InlineData("insuredId")]
    [InlineData("regionCode")]
    [InlineData("admissionDate")]
    [InlineData("dischargeDate")]
    [InlineData("inPolicyCost")]
    [InlineData("basicInsurancePaid")]
    public async Task AMissingFieldIsRefusedNamingIt(string field) =>
        await RefusedAsync(b => b.Remove(field), field);

    [Fact]
    public async Task ANegativeCostIsRefused() =>
        await RefusedAsync(b => b["inPolicyCost"] = -1m, "inPolicyCost");

    [Fact]
    public async Task ANegativeBasicInsurancePaymentIsRefused() =>
        await RefusedAsync(b => b["basicInsurancePaid"] = -0.01m, "basicInsurancePaid");

    [Fact]
    public async Task AnAmountWithThreeDecimalsIsRefused() =>
        await RefusedAsync(b => b["inPolicyCost"] = 80_000.005m, "inPolicyCost");

    [Fact]
    public async Task AnAmountAboveTheMaximumIsRefused() =>
        await RefusedAsync(b => b["inPolicyCost"] = 100_000_000.00m, "inPolicyCost");

    [Fact]
    public async Task AnAmountOfExactlyTheMaximumIsAccepted()
    {
        var body = Settlement() with { InPolicyCost = 99_999_999.99m, BasicInsurancePaid = 0m };

        var settled = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal(99_999_999.99m, settled.Money("eligibleAmount"));
    }

    [Fact]
    public async Task BasicInsurancePaidAboveTheCostIsRefused() =>
        await RefusedAsync(b => b["basicInsurancePaid"] = 80_000.01m, "basicInsurancePaid");

    [Fact]
    public async Task ADischargeBeforeTheAdmissionIsRefused() =>
        await RefusedAsync(b => b["dischargeDate"] = "2020-09-30", "dischargeDate");

    [Fact]
    public async Task ADischargeInTheFutureIsRefused() =>
        // The service's clock says 2020-12-01 10:00 in China.
        await RefusedAsync(b => b["dischargeDate"] = "2020-12-02", "dischargeDate");

    [Fact]
    public async Task ADischargeTodayIsAccepted()
    {
        var body = Settlement() with { DischargeDate = "2020-12-01" };

        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AResidentIdWithAWrongCheckDigitIsRefused() =>
        await RefusedAsync(b => b["insuredId"] = WithWrongCheckDigit(b["insuredId"]!.GetValue<string>()), "insuredId");

    [Fact]
    public async Task ARegionCodeThatIsNotSixDigitsIsRefused() =>
        await RefusedAsync(b => b["regionCode"] = "4503", "regionCode");

    [Theory]
    [InlineData("GL 2020/1")]
    [InlineData("GL-2020-000123-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task ASettlementIdWithOtherCharactersOrOverSixtyFourIsRefused(string settlementId) =>
        await RefusedAsync(b => b["settlementId"] = settlementId, "settlementId");

    [Fact]
    public async Task EveryBadFieldIsReportedAtOnce()
    {
        var response = await RefusedAsync(b =>
        {
            b["inPolicyCost"] = -5m;
            b["dischargeDate"] = "2021-01-01";
            b["insuredId"] = WithWrongCheckDigit(b["insuredId"]!.GetValue<string>());
        }, "inPolicyCost", "dischargeDate", "insuredId");

        Assert.True(response.GetProperty("errors").EnumerateObject().Count() >= 3);
    }

    [Fact]
    public async Task ABadPreviewIsRefusedAndNotAudited()
    {
        var body = Settlement() with { BasicInsurancePaid = 90_000m };

        await (await _hospital.PostJsonAsync("/v1/settlements/preview", body)).ShouldBeValidationProblemAsync("basicInsurancePaid");

        Assert.Empty(await factory.Service<AuditStore>().ForSettlementAsync(GuilinHospital, body.SettlementId, CancellationToken.None));
    }

    [Fact]
    public async Task ABodyOverOneMebibyteIsRefusedWithPayloadTooLargeAndWritesNothing()
    {
        // A valid settlement padded past the limit with whitespace: only its size is wrong.
        var body = Settlement();
        var json = body.ToJson().ToJsonString();
        var padded = json[..^1] + new string(' ', 1024 * 1024) + "}";

        var response = await _hospital.PostRawAsync("/v1/settlements", padded);

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await ShouldHaveWrittenNothingAsync(body);
    }

    [Fact]
    public async Task ABodyJustUnderOneMebibyteIsRead()
    {
        var body = Settlement();
        var json = body.ToJson().ToJsonString();
        var padded = json[..^1] + new string(' ', 1024 * 1024 - json.Length) + "}";

        await (await _hospital.PostRawAsync("/v1/settlements", padded)).ShouldBeAsync(HttpStatusCode.Created);
    }

    /// <summary>Posts a valid settlement changed by <paramref name="spoil"/>; asserts 400 naming the fields and that nothing was written.</summary>
    private async Task<System.Text.Json.JsonElement> RefusedAsync(Action<JsonObject> spoil, params string[] fields)
    {
        var body = Settlement();
        var json = body.ToJson();
        spoil(json);

        var problem = await (await _hospital.PostJsonAsync("/v1/settlements", json)).ShouldBeValidationProblemAsync(fields);

        await ShouldHaveWrittenNothingAsync(body);
        return problem;
    }

    private async Task ShouldHaveWrittenNothingAsync(SettlementBody body)
    {
        await _hospital.ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
        Assert.Empty(await factory.Service<AuditStore>().ForSettlementAsync(GuilinHospital, body.SettlementId, CancellationToken.None));
        await (await _hospital.GetAsync($"/v1/settlements/{body.SettlementId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");
    }
}

public sealed class SqliteValidationTests(SqliteAppFactory f) : ValidationTests<SqliteAppFactory>(f);

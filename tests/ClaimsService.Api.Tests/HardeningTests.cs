using System.Net;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>
/// Each request a hostile or careless caller sent that the service got wrong (issue 9), as the request that failed:
/// now a 4xx problem with a stable code that writes nothing, or the same answer byte for byte.
/// </summary>
public abstract class HardeningTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _admin = factory.ClientFor("admin");
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task AHospitalCannotReadOrReverseAnothersSettlementThroughASeparatorInThePath()
    {
        // A key made before hospital codes were checked, for a code holding the old key separator.
        using var other = factory.ClientFor("hospital", "HX|Y");
        using var hx = factory.ClientFor("hospital", "HX");
        var body = Settlement() with { SettlementId = "S1" + Guid.NewGuid().ToString("N")[..8] };
        await (await other.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
        var before = await factory.OfEveryTableAsync();

        await (await hx.GetAsync($"/v1/settlements/Y%7C{body.SettlementId}")).ShouldBeValidationProblemAsync("settlementId");
        await (await hx.PostJsonAsync($"/v1/settlements/Y%7C{body.SettlementId}/reversal", Reversal())).ShouldBeValidationProblemAsync("settlementId");
        await (await hx.GetAsync($"/v1/settlements/{body.SettlementId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "settlement_not_found");

        Assert.Equal(before, await factory.OfEveryTableAsync());
        await (await other.GetAsync($"/v1/settlements/{body.SettlementId}")).ShouldBeAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("GL%20000123")]
    [InlineData("GL-0001%09")]
    [InlineData("%E6%A1%82%E6%9E%97-1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task APathSettlementIdIsCheckedExactlyLikeTheBodys(string escapedId)
    {
        await (await _hospital.GetAsync($"/v1/settlements/{escapedId}")).ShouldBeValidationProblemAsync("settlementId");
        await (await _hospital.PostJsonAsync($"/v1/settlements/{escapedId}/reversal", Reversal())).ShouldBeValidationProblemAsync("settlementId");
        var body = Settlement() with { SettlementId = Uri.UnescapeDataString(escapedId) };
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeValidationProblemAsync("settlementId");
    }

    [Fact]
    public async Task ARoundingUnitThatCannotEvaluateIsRefusedAndTheRegionStillSettles()
    {
        const string region = "450331";
        var set = ParameterSet(region);
        set.Remove("deductible");
        set["perCapitaIncome"] = 99_999_999.99m;
        set["deductibleRounding"] = JsonNode.Parse("1e-25");
        var before = await factory.OfEveryTableAsync();

        await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeValidationProblemAsync("deductibleRounding");

        Assert.Equal(before, await factory.OfEveryTableAsync());
        await (await _admin.GetAsync("/v1/parameter-sets")).ShouldBeAsync(HttpStatusCode.OK);
        await (await _admin.PostJsonAsync("/v1/parameter-sets", ParameterSet(region))).ShouldBeAsync(HttpStatusCode.Created);
        var settled = await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(NewInsuredId(region), regionCode: region)))
            .ShouldBeAsync(HttpStatusCode.Created);
        Assert.Equal(20_000m, settled.Money("payout"));
    }

    [Theory]
    [InlineData("deductibleRounding", "0")]
    [InlineData("deductibleRounding", "-1")]
    [InlineData("deductibleRounding", "0.001")]
    [InlineData("perCapitaIncome", "100000000")]
    [InlineData("deductibleRatio", "1.5")]
    [InlineData("deductibleRatio", "0.12345678")]
    [InlineData("deductible", "-0.01")]
    [InlineData("annualCap", "1e30")]
    [InlineData("referralMinRate", "2")]
    [InlineData("incomeYear", "20190")]
    [InlineData("effectiveFrom", "\"1900-01-01\"")]
    public async Task EveryFigureOfASetIsCheckedAgainstItsRangeBeforeItIsStored(string field, string value)
    {
        var set = ParameterSet("450332");
        set[field] = JsonNode.Parse(value);
        var before = await factory.OfEveryTableAsync();

        await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeValidationProblemAsync(field);

        Assert.Equal(before, await factory.OfEveryTableAsync());
    }

    [Theory]
    [InlineData("[null]", "bands[0]")]
    [InlineData("[{\"from\": 0, \"rate\": 0.5}, null]", "bands[1]")]
    [InlineData("[{\"from\": 100000000, \"rate\": 0.5}]", "bands[0].from")]
    [InlineData("[{\"from\": 0, \"rate\": -0.1}]", "bands[0].rate")]
    public async Task ABandThatIsMissingOrOutOfRangeIsAFieldError(string bands, string field)
    {
        var set = ParameterSet("450333");
        set["bands"] = JsonNode.Parse(bands);

        await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("policyDocument", 201)]
    [InlineData("name", 201)]
    public async Task TextLongerThanItsColumnIsRefusedOnEveryProvider(string field, int length)
    {
        var set = ParameterSet("450334");
        set[field] = new string('文', length);

        await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("policyDocument")]
    public async Task ANulInASetsTextIsRefused(string field)
    {
        var set = ParameterSet("450335");
        set[field] = "桂医保发\u0000〔2020〕46号";
        var before = await factory.OfEveryTableAsync();

        await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeValidationProblemAsync(field);

        Assert.Equal(before, await factory.OfEveryTableAsync());
    }

    [Fact]
    public async Task ANulOrALoneSurrogateInARegistrySourceIsRefused()
    {
        var person = NewInsuredId();
        var nul = RegistryEntry(person, "registered_poor");
        nul["source"] = "batch\u00002020-06";
        var surrogate = RegistryEntry(person, "registered_poor");
        var before = await factory.OfEveryTableAsync();

        await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(nul))).ShouldBeValidationProblemAsync("[0].source");
        await (await _admin.PostRawAsync("/v1/registry/entries", $"[{surrogate.ToJsonString()[..^1]}, \"source\": \"\\ud800\"}}]"))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(before, await factory.OfEveryTableAsync());
    }

    [Fact]
    public async Task ADuplicatedKeyIsRefusedRatherThanTheLastOneWinning()
    {
        var body = Settlement();
        var json = body.ToJson().ToJsonString();
        var duplicated = json.Replace("\"inPolicyCost\":80000", "\"inPolicyCost\":1000,\"inPolicyCost\":80000", StringComparison.Ordinal);
        Assert.NotEqual(json, duplicated);

        await (await _hospital.PostRawAsync("/v1/settlements", duplicated)).ShouldBeValidationProblemAsync("inPolicyCost");

        await _hospital.ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
    }

    [Theory]
    [InlineData("1e-30")]
    [InlineData("80000.0000000000000000000000001")]
    [InlineData("80000.001")]
    [InlineData("8.0000000000000000000000000001e4")]
    public async Task AnAmountThatIsNotAWholeNumberOfFenIsRefused(string amount)
    {
        var body = Settlement();

        await (await _hospital.PostRawAsync("/v1/settlements", WithInPolicyCost(body, amount))).ShouldBeValidationProblemAsync("inPolicyCost");

        await _hospital.ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
    }

    [Theory]
    [InlineData("80000.000")]
    [InlineData("8e4")]
    [InlineData("80000.10")]
    public async Task AnAmountWrittenWithTrailingZerosOrAnExponentIsReadExactly(string amount) =>
        await (await _hospital.PostRawAsync("/v1/settlements", WithInPolicyCost(Settlement(), amount))).ShouldBeAsync(HttpStatusCode.Created);

    /// <summary>The body's JSON text with the in-policy cost written as given, byte for byte.</summary>
    private static string WithInPolicyCost(SettlementBody body, string amount) =>
        body.ToJson().ToJsonString().Replace("\"inPolicyCost\":80000", $"\"inPolicyCost\":{amount}", StringComparison.Ordinal);

    [Theory]
    [InlineData("/v1/reconciliation/summary?regionCode=450300&from=01/12/2020&to=2020-12-31", "from")]
    [InlineData("/v1/reconciliation/summary?regionCode=450300&from=2020-12-01&to=2020-12-1", "to")]
    [InlineData("/v1/reconciliation/statement?regionCode=450300&from=2020-12-01T00:00:00&to=2020-12-31", "from")]
    [InlineData("/v1/parameter-sets?regionCode=450300&onDate=12.10.2020", "onDate")]
    [InlineData("/v1/parameter-sets?onDate=20201012", "onDate")]
    public async Task AQueryDateIsReadAsYearMonthDayOnly(string url, string field)
    {
        using var insurer = factory.ClientFor("insurer", null, Guilin);
        var client = url.StartsWith("/v1/parameter-sets", StringComparison.Ordinal) ? _admin : insurer;

        await (await client.GetAsync(url)).ShouldBeValidationProblemAsync(field);
    }

    [Fact]
    public async Task ADateInABodyIsReadAsYearMonthDayOnly()
    {
        var body = Settlement().ToJson();
        body["dischargeDate"] = "10/12/2020";

        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeValidationProblemAsync("dischargeDate");
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitIsTheSameProblemAsOneWithALength()
    {
        var json = Settlement().ToJson().ToJsonString();
        var oversized = json[..^1] + new string(' ', 2 * 1024 * 1024) + "}";
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/settlements")
        {
            Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(oversized))),
        };
        chunked.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        chunked.Headers.TransferEncodingChunked = true;

        await (await _hospital.SendAsync(chunked)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await (await _hospital.PostRawAsync("/v1/settlements", oversized)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task AReplayAndTheStatementSayTheFirstAnswersInstantByteForByte()
    {
        // A clock with sub-microsecond ticks, which PostgreSQL would cut: …12.4668667Z.
        factory.Time.Advance(TimeSpan.FromTicks(4_668_667));
        var body = Settlement();

        var first = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
        var replay = await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.OK);
        var read = await (await _hospital.GetAsync($"/v1/settlements/{body.SettlementId}")).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(first.GetRawText(), replay.GetRawText());
        Assert.Equal(first.Text("adjudicatedAt"), read.Text("adjudicatedAt"));
        Assert.EndsWith(".466866Z", first.Text("adjudicatedAt"), StringComparison.Ordinal);
    }
}

public sealed class SqliteHardeningTests(SqliteAppFactory factory) : HardeningTests<SqliteAppFactory>(factory);

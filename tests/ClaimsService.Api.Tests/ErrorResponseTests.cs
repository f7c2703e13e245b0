using System.Net;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>api.md "Errors": every error is problem+json with a stable code, also those the framework answers before any handler runs.</summary>
public abstract class ErrorResponseTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    [Fact]
    public async Task ASettlementSentAsPlainTextIsRefusedAsUnsupportedMediaTypeAndWritesNothing()
    {
        var body = Settlement();

        var response = await _hospital.PostRawAsync("/v1/settlements", body.ToJson().ToJsonString(), "text/plain");

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await _hospital.ShouldHaveEmptyLedgerAsync(Guilin, body.InsuredId);
    }

    [Fact]
    public async Task AnUnknownPathAnswersNotFoundAsAProblem() =>
        await (await _hospital.GetAsync("/v1/no-such-thing")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "not_found");

    [Fact]
    public async Task AMethodAPathDoesNotAnswerIsAProblem()
    {
        var response = await _hospital.DeleteAsync("/v1/settlements");

        await response.ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }
}

public sealed class SqliteErrorResponseTests(SqliteAppFactory f) : ErrorResponseTests<SqliteAppFactory>(f);

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Browser.Tests.Infrastructure;

namespace ClaimsService.Browser.Tests;

/// <summary>The body limit as Kestrel enforces it on the wire: one problem, whether the body has a length or is chunked.</summary>
[Collection(OpsCollection.Name)]
public sealed class KestrelBodyLimitTests(OpsAppFactory factory) : IClassFixture<OpsAppFactory>
{
    [Fact]
    public async Task AChunkedBodyOverTheLimitIsPayloadTooLargeOverTheNetwork()
    {
        using var hospital = factory.NetworkClient(factory.CreateKey("hospital", "H4503000001"));
        var json = Requests.Settlement().ToJson().ToJsonString();
        var oversized = Encoding.UTF8.GetBytes(json[..^1] + new string(' ', 2 * 1024 * 1024) + "}");
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/settlements") { Content = new StreamContent(new MemoryStream(oversized)) };
        chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        using var sized = new HttpRequestMessage(HttpMethod.Post, "/v1/settlements") { Content = new ByteArrayContent(oversized) };
        sized.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        await (await hospital.SendAsync(chunked)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await (await hospital.SendAsync(sized)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }
}

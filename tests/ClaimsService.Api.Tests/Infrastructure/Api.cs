using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaimsService.Api.Tests.Infrastructure;

/// <summary>A person-year's ledger as GET /v1/ledgers answers it.</summary>
public sealed record LedgerView(decimal EligibleToDate, decimal PaidToDate, IReadOnlyList<JsonElement> Entries);

/// <summary>Calls and assertions on answers: status, problem+json, validation errors, the ledger.</summary>
public static class Api
{
    public const string ProblemJson = "application/problem+json";
    public const string ReplayHeader = "Idempotent-Replayed";

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, JsonNode? body) =>
        client.PostRawAsync(url, body?.ToJsonString() ?? "null");

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, SettlementBody body) =>
        client.PostJsonAsync(url, body.ToJson());

    /// <summary>Sends the text as it is, with a Content-Length, so that malformed and oversized bodies reach the service unchanged.</summary>
    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string url, string body, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType)));

    /// <summary>Asserts the status (showing the body when it differs) and returns the JSON body.</summary>
    public static async Task<JsonElement> ShouldBeAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with this status and stable code; returns it.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var problem = await response.ShouldBeAsync(status);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>Asserts 400 validation_failed naming at least these fields, each with a message.</summary>
    public static async Task<JsonElement> ShouldBeValidationProblemAsync(this HttpResponseMessage response, params string[] fields)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        foreach (var field in fields)
        {
            Assert.True(errors.TryGetProperty(field, out var messages), $"No error for '{field}' in {errors}");
            Assert.NotEqual(0, messages.GetArrayLength());
        }
        return problem;
    }

    public static async Task<LedgerView> LedgerAsync(this HttpClient hospitalOrOps, string regionCode, string insuredId, int policyYear = 2020)
    {
        var ledger = await (await hospitalOrOps.GetAsync($"/v1/ledgers/{regionCode}/{insuredId}/{policyYear}")).ShouldBeAsync(HttpStatusCode.OK);
        return new LedgerView(ledger.Money("eligibleToDate"), ledger.Money("paidToDate"), ledger.GetProperty("entries").EnumerateArray().ToList());
    }

    /// <summary>Asserts that nothing was ever counted for the person-year.</summary>
    public static async Task ShouldHaveEmptyLedgerAsync(this HttpClient hospitalOrOps, string regionCode, string insuredId, int policyYear = 2020)
    {
        var ledger = await hospitalOrOps.LedgerAsync(regionCode, insuredId, policyYear);
        Assert.Equal(0m, ledger.EligibleToDate);
        Assert.Equal(0m, ledger.PaidToDate);
        Assert.Empty(ledger.Entries);
    }

    public static decimal Money(this JsonElement element, string property) => element.GetProperty(property).GetDecimal();

    public static string Text(this JsonElement element, string property) =>
        element.GetProperty(property).GetString() ?? throw new InvalidOperationException($"{property} is null");

    public static bool IsReplay(this HttpResponseMessage response) =>
        response.Headers.TryGetValues(ReplayHeader, out var values) && values.Contains("true");
}

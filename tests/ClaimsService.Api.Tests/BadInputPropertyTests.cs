using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>
/// For every endpoint that takes a body or a query: generated malformed, oversized, mistyped and boundary inputs never
/// answer 5xx; a refusal is application/problem+json with a stable code and writes nothing (the row count of every table
/// is unchanged; a 422 business rejection writes its audit entry and nothing else).
/// </summary>
public abstract class BadInputPropertyTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private const int Runs = 150;
    private readonly Dictionary<string, HttpClient> _clients = new()
    {
        ["hospital"] = factory.ClientFor("hospital", GuilinHospital),
        ["admin"] = factory.ClientFor("admin"),
        ["insurer"] = factory.ClientFor("insurer", null, Guilin),
    };

    /// <summary>One generated request. <see cref="MustFail"/>: no reading of it is valid (a required field missing or mistyped, broken syntax…).</summary>
    public sealed record Attempt(string Caller, string Method, string Url, string? Body, string ContentType, bool MustFail, string What)
    {
        public override string ToString() => $"{Method} {Url} [{ContentType}] {What}: {(Body is { Length: > 300 } b ? b[..300] + "…" : Body)}";
    }

    private sealed record Template(string Caller, string Url, Func<JsonNode> Body, string[] Required);

    private static readonly Template[] Templates =
    [
        new("hospital", "/v1/settlements", () => Settlement().ToJson(), ["settlementId", "insuredId", "regionCode", "admissionDate", "dischargeDate", "inPolicyCost", "basicInsurancePaid"]),
        new("hospital", "/v1/settlements/preview", () => Settlement().ToJson(), ["settlementId", "insuredId", "regionCode", "admissionDate", "dischargeDate", "inPolicyCost", "basicInsurancePaid"]),
        new("hospital", "/v1/settlements/GL-NOT-SETTLED/reversal", () => Reversal(), ["reason"]),
        new("admin", "/v1/parameter-sets", () => ParameterSet("450399"), ["regionCode", "name", "effectiveFrom", "bands"]),
        new("admin", "/v1/registry/entries", () => new JsonArray(RegistryEntry(NewInsuredId(), "registered_poor")), []),
        new("insurer", "/v1/reconciliation/summary-checks",
            () => new JsonObject { ["regionCode"] = Guilin, ["from"] = "2020-12-01", ["to"] = "2020-12-01", ["count"] = 0, ["payout"] = 0 },
            ["regionCode", "from", "to", "count", "payout"]),
        new("admin", "/v1/clients/no-such-client/revocation", () => new JsonObject { ["reason"] = "key leaked" }, ["reason"]),
        new("admin", "/v1/readjudications", () => new JsonObject
            {
                ["runId"] = "BAD-INPUT-dry", ["regionCode"] = Guilin, ["policyYear"] = 2020, ["insuredId"] = null,
                ["reason"] = "bad input property (dry run)", ["dryRun"] = true,
            },
            ["runId", "regionCode", "policyYear", "reason", "dryRun"]),
    ];

    private static readonly (string Url, string Caller, string[] Parameters)[] Queries =
    [
        ("/v1/parameter-sets", "admin", ["regionCode", "onDate"]),
        ("/v1/reconciliation/summary", "insurer", ["regionCode", "from", "to"]),
        ("/v1/reconciliation/statement", "insurer", ["regionCode", "from", "to", "format"]),
        ("/v1/audit/entries", "admin", ["regionCode", "from", "to", "settlementId", "hospitalCode", "kind", "outcome", "cursor", "limit"]),
        ("/v1/audit/seals", "admin", ["from", "to"]),
    ];

    /// <summary>Values of every JSON kind, and boundary values of each: what a careless or hostile client sends in a field's place.</summary>
    private static readonly string[] Values =
    [
        "null", "true", "[]", "{}", "\"\"", "\"text\"", "-1", "0", "1e400", "-1e400", "1e-30", "123456789012345678901234567890",
        "99999999.99", "100000000", "0.001", "80000.0000000000000000000000001", "\"\\u0000\"", "\"\\ud800\"", "\"2020-02-30\"",
        "\"01/12/2020\"", "\"" + new string('x', 5000) + "\"", "\"450300\"", "\"" + new string('9', 18) + "\"", "[null]", "{\"a\":[1,{}]}",
    ];

    private static readonly string[] QueryValues =
    [
        "", "x", "01/12/2020", "2020-13-01", "2020-02-30", "20201201", "2020-12-01T00:00:00", "%E2%80%8B", "-1", "450300",
        new string('9', 300), "2020-12-01%20", "%2B2020-12-01", "ndjson", "CSV", "%0A",
    ];

    private static Gen<Attempt> BodyAttempts =>
        from template in Gen.Elements(Templates)
        from kind in Gen.Choose(0, 9)
        from pick in Gen.Choose(0, 1000)
        from value in Gen.Elements(Values)
        select Mutate(template, kind, pick, value);

    private static Gen<Attempt> QueryAttempts =>
        from query in Gen.Elements(Queries)
        from values in Gen.ArrayOf(Gen.Elements(QueryValues), query.Parameters.Length)
        from keep in Gen.ArrayOf(Gen.Elements(true, false), query.Parameters.Length)
        select new Attempt(query.Caller, "GET",
            query.Url + "?" + string.Join('&', query.Parameters.Select((p, i) => keep[i] ? $"{p}={values[i]}" : "").Where(p => p.Length > 0)),
            null, "", false, "query");

    private static Gen<Attempt> LedgerAttempts =>
        from region in Gen.Elements("450300", "45030", "4503000", "abcdef", "%20")
        from insured in Gen.Elements("450305198001011237", "450305198001011230", "x", new string('9', 18), "45030519800101123X")
        from year in Gen.Elements("2020", "1999", "99999", "-1", "x")
        select new Attempt("hospital", "GET", $"/v1/ledgers/{region}/{insured}/{year}", null, "", false, "ledger path");

    private static Gen<Attempt> DetailCheckAttempts =>
        from type in Gen.Elements("text/csv", "application/x-ndjson", "text/plain", "application/json", "text/csv; charset=gb18030")
        from lines in Gen.ArrayOf(Gen.Elements("adjudicationId,payout", "x,1", "{\"adjudicationId\":1}", "\"unterminated", ",,,,", "{", "0193,1e400", "\u0000"), 3)
        select new Attempt("insurer", "POST", "/v1/reconciliation/detail-checks?regionCode=450300&from=2020-12-01&to=2020-12-01",
            string.Join("\n", lines), type, false, "detail check");

    private const string Placeholder = "__value__";

    private static Attempt Mutate(Template template, int kind, int pick, string value)
    {
        var body = template.Body();
        var node = body is JsonArray array ? array[0]!.AsObject() : body.AsObject();
        var fields = node.Select(p => p.Key).ToArray();
        var field = fields[pick % fields.Length];
        var required = template.Required.Contains(field);
        string Text() => body.ToJsonString();
        switch (kind)
        {
            case 0:
                node.Remove(field);
                return new(template.Caller, "POST", template.Url, Text(), "application/json", required, $"without {field}");
            case 1 or 2:
                // Written as raw text: some values (a lone surrogate) are JSON no JsonNode can hold.
                node[field] = Placeholder;
                return new(template.Caller, "POST", template.Url, Text().Replace($"\"{Placeholder}\"", value, StringComparison.Ordinal),
                    "application/json", required && value == "null", $"{field} = {value[..Math.Min(40, value.Length)]}");
            case 3:
                var text = Text();
                var json = JsonSerializer.Serialize(field);
                return new(template.Caller, "POST", template.Url, text.Replace($"{json}:", $"{json}:{value},{json}:", StringComparison.Ordinal)
                    .Replace(",{json}:{value},", ",", StringComparison.Ordinal), "application/json", true, $"{field} twice");
            case 4:
                var whole = Text();
                return new(template.Caller, "POST", template.Url, whole[..(pick % (whole.Length - 1))], "application/json", true, "truncated");
            case 5:
                return new(template.Caller, "POST", template.Url, new string('[', 200 + pick) + new string(']', 200 + pick), "application/json", true, "nested deep");
            case 6:
                return new(template.Caller, "POST", template.Url, Text()[..^1] + ",\"padding\":\"" + new string('x', 1024 * 1024) + "\"}", "application/json", true, "over 1 MiB");
            case 7:
                return new(template.Caller, "POST", template.Url, Text(), pick % 2 == 0 ? "text/plain" : "application/xml", true, "wrong media type");
            case 8:
                return new(template.Caller, "POST", template.Url, "", "application/json", true, "empty");
            default:
                return new(template.Caller, "POST", template.Url, "\uFEFF" + Text().Replace(':', pick % 2 == 0 ? '=' : ';'), "application/json", true, "not JSON");
        }
    }

    [Property(MaxTest = Runs)]
    public Property BadBodiesAreRefusedAsProblemsAndWriteNothing() => Check(BodyAttempts);

    [Property(MaxTest = Runs)]
    public Property BadQueriesAndPathsAreRefusedAsProblemsAndWriteNothing() => Check(Gen.OneOf(QueryAttempts, LedgerAttempts));

    [Property(MaxTest = Runs)]
    public Property BadDetailCheckUploadsAreRefusedAsProblems() => Check(DetailCheckAttempts);

    private Property Check(Gen<Attempt> attempts) =>
        Prop.ForAll(attempts.ToArbitrary(), attempt => HoldsAsync(attempt).GetAwaiter().GetResult());

    private async Task<bool> HoldsAsync(Attempt attempt)
    {
        var before = await factory.OfEveryTableAsync();
        using var request = new HttpRequestMessage(new HttpMethod(attempt.Method), attempt.Url);
        if (attempt.Body is not null)
            request.Content = new StringContent(attempt.Body, Encoding.UTF8, System.Net.Http.Headers.MediaTypeHeaderValue.Parse(attempt.ContentType));
        using var response = await _clients[attempt.Caller].SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status < 500, $"{status} for {attempt}: {text}");
        if (attempt.MustFail) Assert.True(status >= 400, $"{status} for {attempt}: {text}");
        if (status < 400) return true;

        Assert.Equal(Infrastructure.Api.ProblemJson, response.Content.Headers.ContentType?.MediaType);
        var code = JsonDocument.Parse(text).RootElement.GetProperty("code").GetString();
        Assert.False(string.IsNullOrWhiteSpace(code), $"no code for {attempt}: {text}");
        var after = await factory.OfEveryTableAsync();
        var changed = before.Where(kv => after[kv.Key] != kv.Value).Select(kv => kv.Key).ToList();
        // A business rejection (422) is an adjudication the audit log records; nothing else may move.
        if (status == 422) changed.RemoveAll(t => t is "audit_log" or "reconciliation_runs");
        Assert.True(changed.Count == 0, $"{status} {code} for {attempt} wrote to {string.Join(", ", changed)}");
        return true;
    }
}

public sealed class SqliteBadInputPropertyTests(SqliteAppFactory factory) : BadInputPropertyTests<SqliteAppFactory>(factory);

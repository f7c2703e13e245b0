using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Tests.Reconciliation;

/// <summary>
/// Settles and reverses stays of one region through the public API, so reconciliation sees what hospitals produce.
/// Each test takes a region of its own: suites share their database (and, on PostgreSQL, may share it across suites).
/// </summary>
public sealed class ReconciliationData
{
    private static int _next = Random.Shared.Next(1000, 8000);
    private readonly ClaimsAppFactory _factory;
    private readonly HttpClient _hospital;
    private int _settlements;
    private int _persons;

    public ReconciliationData(ClaimsAppFactory factory, string? regionCode = null, string? hospitalCode = null)
    {
        _factory = factory;
        RegionCode = regionCode ?? NewRegion();
        HospitalCode = hospitalCode ?? $"H{RegionCode}{Guid.NewGuid():N}"[..24];
        _hospital = factory.ClientFor("hospital", HospitalCode);
    }

    /// <summary>A Guangxi region code no other test uses (Guangxi's 2020 set applies to every region of the province).</summary>
    public static string NewRegion() => "45" + (Interlocked.Increment(ref _next) % 9000 + 1000).ToString("0000", CultureInfo.InvariantCulture);

    public string RegionCode { get; }

    public string HospitalCode { get; }

    /// <summary>The business day (UTC+8) the service's clock is on.</summary>
    public DateOnly Today => BusinessDay.Of(_factory.Time.GetUtcNow().UtcDateTime);

    public string NewPerson() =>
        ResidentId.WithCheckDigit($"{RegionCode}1980{Interlocked.Increment(ref _persons) % 10_000:0000}{Random.Shared.Next(100, 999)}"[..17]);

    /// <summary>Settles a stay discharged on <paramref name="discharge"/> (today when null); returns the response.</summary>
    public async Task<JsonElement> SettleAsync(string insuredId, decimal inPolicyCost, decimal basicInsurancePaid, DateOnly? discharge = null)
    {
        var day = discharge ?? Today;
        var response = await _hospital.PostAsJsonAsync("/v1/settlements", new
        {
            settlementId = $"S-{RegionCode}-{Interlocked.Increment(ref _settlements):00000}",
            insuredId, regionCode = RegionCode,
            admissionDate = day.AddDays(-3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            dischargeDate = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            inPolicyCost, basicInsurancePaid,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> ReverseAsync(string settlementId)
    {
        var response = await _hospital.PostAsJsonAsync($"/v1/settlements/{settlementId}/reversal", new { reason = "cancelled by the hospital" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>An insurer key contracted for this region.</summary>
    public HttpClient Insurer() => _factory.ClientFor("insurer", null, RegionCode);

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A statement line as the tests read it back, from CSV or NDJSON.</summary>
public sealed record StatementRow(
    string AdjudicationId, string Kind, string HospitalCode, string SettlementId, string RegionCode, string InsuredId, int PolicyYear,
    string Category, string ParameterSetId, int ParameterSetVersion, decimal EligibleAmount, decimal Payout, string? RelatedAdjudicationId,
    DateTime AdjudicatedAt, DateOnly BusinessDate);

public sealed record Statement(IReadOnlyList<StatementRow> Rows, long TrailerRows, decimal TrailerPayout, string Raw);

/// <summary>Reads statements back the way an insurer's system would.</summary>
public static class StatementParser
{
    public const string CsvHeader = "adjudicationId,kind,hospitalCode,settlementId,regionCode,insuredId,policyYear,category,"
        + "parameterSetId,parameterSetVersion,eligibleAmount,payout,relatedAdjudicationId,adjudicatedAt,businessDate,runId,setlId,psnNo,mdtrtId";

    public static async Task<Statement> GetAsync(HttpClient client, string regionCode, DateOnly from, DateOnly to, string format)
    {
        var response = await client.GetAsync(
            $"/v1/reconciliation/statement?regionCode={regionCode}&from={ReconciliationData.Day(from)}&to={ReconciliationData.Day(to)}&format={format}");
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, raw);
        Assert.Equal(format == "csv" ? "text/csv" : "application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        return format == "csv" ? Csv(raw) : Ndjson(raw);
    }

    public static Statement Csv(string raw)
    {
        var lines = raw.Split('\n');
        Assert.Equal("", lines[^1]); // ends with a line break
        Assert.Equal(CsvHeader, lines[0]);
        var trailer = lines[^2];
        Assert.StartsWith("#trailer,", trailer);
        var parts = trailer.Split(',');
        var rows = lines[1..^2].Select(l =>
        {
            var f = l.Split(',');
            Assert.Equal(19, f.Length);
            return new StatementRow(f[0], f[1], f[2], f[3], f[4], f[5], int.Parse(f[6], CultureInfo.InvariantCulture), f[7], f[8],
                int.Parse(f[9], CultureInfo.InvariantCulture), TwoDecimals(f[10]), TwoDecimals(f[11]), f[12].Length == 0 ? null : f[12],
                DateTime.Parse(f[13], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                DateOnly.ParseExact(f[14], "yyyy-MM-dd", CultureInfo.InvariantCulture));
        }).ToList();
        Assert.StartsWith("rows=", parts[1]);
        Assert.StartsWith("payout=", parts[2]);
        return new Statement(rows, long.Parse(parts[1][5..], CultureInfo.InvariantCulture), TwoDecimals(parts[2][7..]), raw);
    }

    public static Statement Ndjson(string raw)
    {
        var lines = raw.Split('\n');
        Assert.Equal("", lines[^1]);
        var objects = lines[..^1].Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var trailer = objects[^1].GetProperty("trailer");
        var rows = objects[..^1].Select(o => new StatementRow(
            o.GetProperty("adjudicationId").GetString()!, o.GetProperty("kind").GetString()!, o.GetProperty("hospitalCode").GetString()!,
            o.GetProperty("settlementId").GetString()!, o.GetProperty("regionCode").GetString()!, o.GetProperty("insuredId").GetString()!,
            o.GetProperty("policyYear").GetInt32(), o.GetProperty("category").GetString()!, o.GetProperty("parameterSetId").GetString()!,
            o.GetProperty("parameterSetVersion").GetInt32(), TwoDecimals(o.GetProperty("eligibleAmount").GetRawText()),
            TwoDecimals(o.GetProperty("payout").GetRawText()),
            o.TryGetProperty("relatedAdjudicationId", out var related) ? related.GetString() : null,
            o.GetProperty("adjudicatedAt").GetDateTime().ToUniversalTime(), DateOnly.ParseExact(o.GetProperty("businessDate").GetString()!, "yyyy-MM-dd",
                CultureInfo.InvariantCulture))).ToList();
        return new Statement(rows, trailer.GetProperty("rows").GetInt64(), TwoDecimals(trailer.GetProperty("payout").GetRawText()), raw);
    }

    /// <summary>Money in a statement is written with exactly two decimals.</summary>
    private static decimal TwoDecimals(string text)
    {
        Assert.Matches(@"^-?\d+\.\d\d$", text);
        return decimal.Parse(text, CultureInfo.InvariantCulture);
    }
}

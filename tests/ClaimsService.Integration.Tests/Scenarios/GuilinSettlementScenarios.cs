using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Data.Common;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;

namespace ClaimsService.Integration.Tests.Scenarios;

/// <summary>
/// The smoke path of the service (settle, replay, read, preview, reverse, ledger, reconciliation) on a real
/// server. Each provider's suite runs these under its own test attribute (SQL Server's skips without Docker).
/// </summary>
public abstract class GuilinSettlementScenarios(ClaimsAppFactory factory, Func<Task<DbConnection>> openDatabase)
{
    private HttpClient? _client;

    private HttpClient Hospital => _client ??= Guilin.HospitalClient(factory);

    protected async Task SettlesTheWorkedExampleAndReplaysItAsync()
    {
        var insured = Guilin.NewInsuredId();
        var id = Guilin.NewSettlementId();
        var first = await Hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, 50000.00m));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var settled = await first.JsonAsync();
        Assert.Equal(23800.00m, settled.GetProperty("payout").GetDecimal());
        Assert.Equal(12000.00m, settled.GetProperty("deductible").GetDecimal());
        Assert.Equal("general", settled.GetProperty("category").GetString());
        Assert.Equal([16800.00m, 7000.00m], settled.GetProperty("trace").EnumerateArray().Select(s => s.GetProperty("amount").GetDecimal()));
        // timestamptz comes back as the UTC instant it was given.
        Assert.Equal(factory.Time.GetUtcNow().UtcDateTime, settled.GetProperty("adjudicatedAt").GetDateTime().ToUniversalTime());
        Assert.EndsWith("Z", settled.GetProperty("adjudicatedAt").GetString());

        var replay = await Hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, 50000.00m));
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(settled.ToString(), (await replay.JsonAsync()).ToString());

        var read = await Hospital.GetAsync($"/v1/settlements/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(settled.ToString(), (await read.JsonAsync()).ToString());

        var reused = await Hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(id, insured, 50000.01m));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("idempotency_key_reused", (await reused.JsonAsync()).GetProperty("code").GetString());

        var ledger = await Guilin.LedgerAsync(Hospital, insured);
        Assert.Equal(50000.00m, ledger.GetProperty("eligibleToDate").GetDecimal());
        Assert.Equal(23800.00m, ledger.GetProperty("paidToDate").GetDecimal());
        Assert.Single(ledger.GetProperty("entries").EnumerateArray());

        // The rows are in this factory's own database, not in an embedded default.
        await using var db = await openDatabase();
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM adjudications WHERE settlement_id = @id", new { id }));
    }

    protected async Task PaysARegisteredPoorMemberUnderTheirCategoryAsync()
    {
        var insured = Guilin.NewInsuredId();
        var admin = factory.ClientFor("admin");
        var recorded = await admin.PostAsJsonAsync("/v1/registry/entries", new[]
        {
            new { insuredId = insured, regionCode = Guilin.Region, category = "registered_poor", validFrom = "2016-01-01", validTo = (string?)null, source = "integration test" },
            new { insuredId = insured, regionCode = Guilin.Region, category = "poverty_monitored", validFrom = "2019-01-01", validTo = (string?)"2019-12-31", source = "integration test" },
        });
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);

        var settled = await (await Hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(Guilin.NewSettlementId(), insured, 50000m))).JsonAsync();
        // Registered poor in Guilin: deductible 3 000, +10 points: 37 000 × 70 % + 10 000 × 80 % = 33 900.
        Assert.Equal("registered_poor", settled.GetProperty("category").GetString());
        Assert.Equal(3000.00m, settled.GetProperty("deductible").GetDecimal());
        Assert.Equal(33900.00m, settled.GetProperty("payout").GetDecimal());
    }

    protected async Task PreviewsAgainstTheLedgerWithoutTouchingItAsync()
    {
        var insured = Guilin.NewInsuredId();
        Assert.Equal(HttpStatusCode.Created, (await Hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(Guilin.NewSettlementId(), insured, 50000m))).StatusCode);

        var preview = await Hospital.PostAsJsonAsync("/v1/settlements/preview", Guilin.Stay(Guilin.NewSettlementId(), insured, 10000m));
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var body = await preview.JsonAsync();
        Assert.Equal("preview", body.GetProperty("kind").GetString());
        // f(60 000) = 16 800 + 14 000 = 30 800; 23 800 already paid.
        Assert.Equal(7000.00m, body.GetProperty("payout").GetDecimal());

        var ledger = await Guilin.LedgerAsync(Hospital, insured);
        Assert.Equal(23800.00m, ledger.GetProperty("paidToDate").GetDecimal());
        Assert.Single(ledger.GetProperty("entries").EnumerateArray());
    }

    protected async Task ReversesTheFirstStayAndRepricesTheLaterOneAsync()
    {
        var insured = Guilin.NewInsuredId();
        var (first, second) = (Guilin.NewSettlementId(), Guilin.NewSettlementId());
        await Hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(first, insured, 50000m));
        var later = await (await Hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(second, insured, 30000m))).JsonAsync();
        // f(80 000) = 30 800 + 16 000 = 46 800; 23 800 already paid.
        Assert.Equal(23000.00m, later.GetProperty("payout").GetDecimal());

        var reversal = await Hospital.PostAsJsonAsync($"/v1/settlements/{first}/reversal", new { reason = "duplicate billing" });
        Assert.Equal(HttpStatusCode.Created, reversal.StatusCode);
        var reversed = await reversal.JsonAsync();
        Assert.Equal("reversal", reversed.GetProperty("kind").GetString());
        Assert.Equal(-23800.00m, reversed.GetProperty("payout").GetDecimal());
        // Alone, the 30 000 stay pays f(30 000) = 10 800: 12 200 less than it was paid.
        var adjustment = Assert.Single(reversed.GetProperty("adjustments").EnumerateArray());
        Assert.Equal(second, adjustment.GetProperty("settlementId").GetString());
        Assert.Equal(-12200.00m, adjustment.GetProperty("payout").GetDecimal());

        var again = await Hospital.PostAsJsonAsync($"/v1/settlements/{first}/reversal", new { reason = "duplicate billing" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(reversed.ToString(), (await again.JsonAsync()).ToString());

        var ledger = await Guilin.LedgerAsync(Hospital, insured);
        Assert.Equal(30000.00m, ledger.GetProperty("eligibleToDate").GetDecimal());
        Assert.Equal(10800.00m, ledger.GetProperty("paidToDate").GetDecimal());
        var entries = ledger.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["settlement", "settlement", "reversal", "adjustment"], entries.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(10800.00m, entries.Sum(e => e.GetProperty("payout").GetDecimal()));
    }

    protected async Task SummarisesTheDaysSettlementsAndReversalsAsync()
    {
        var insurer = factory.ClientFor("insurer", null, Guilin.Region);
        var before = await SummaryAsync(insurer);
        var insured = Guilin.NewInsuredId();
        var (first, second) = (Guilin.NewSettlementId(), Guilin.NewSettlementId());
        await Hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(first, insured, 50000m));
        await Hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(second, insured, 30000m));
        await Hospital.PostAsJsonAsync($"/v1/settlements/{first}/reversal", new { reason = "wrong patient" });

        var after = await SummaryAsync(insurer);
        Assert.Equal(2, Count(after, "settlements") - Count(before, "settlements"));
        Assert.Equal(80000.00m, Amount(after, "settlements", "eligibleAmount") - Amount(before, "settlements", "eligibleAmount"));
        Assert.Equal(46800.00m, Amount(after, "settlements", "payout") - Amount(before, "settlements", "payout"));
        Assert.Equal(1, Count(after, "reversals") - Count(before, "reversals"));
        Assert.Equal(-23800.00m, Amount(after, "reversals", "payout") - Amount(before, "reversals", "payout"));
        // What the fund owes for this person: the 30 000 stay alone.
        Assert.Equal(10800.00m, Amount(after, "net", "payout") - Amount(before, "net", "payout"));
        Assert.Equal(Guilin.BusinessDay.ToString("yyyy-MM-dd"), Assert.Single(after.GetProperty("byDay").EnumerateArray()).GetProperty("date").GetString());
    }

    private static async Task<JsonElement> SummaryAsync(HttpClient insurer)
    {
        var day = Guilin.BusinessDay.ToString("yyyy-MM-dd");
        var response = await insurer.GetAsync($"/v1/reconciliation/summary?regionCode={Guilin.Region}&from={day}&to={day}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static long Count(JsonElement summary, string totals) => summary.GetProperty(totals).GetProperty("count").GetInt64();

    private static decimal Amount(JsonElement summary, string totals, string field) => summary.GetProperty(totals).GetProperty(field).GetDecimal();
}

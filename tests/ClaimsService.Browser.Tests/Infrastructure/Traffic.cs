using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Domain;

namespace ClaimsService.Browser.Tests.Infrastructure;

/// <summary>What a burst did, as the service should count it.</summary>
public sealed record BurstResult(IReadOnlyList<string> InsuredIds, int Settled, int Reversed, int Adjusted, int Previewed, int Rejected, int Invalid,
    int Replayed, decimal SettlementPayout, decimal ReversalPayout, decimal AdjustmentPayout)
{
    public decimal NetPayout => SettlementPayout + ReversalPayout + AdjustmentPayout;
}

/// <summary>
/// A burst of hospital traffic of every kind, spread over several minutes of the factory's clock: settlements in four
/// regions, previews, business rejections, a replay, an invalid request, reversals (one re-pricing a later stay) and
/// ledger reads. Every request is checked, so the counts it returns are what the service did.
/// </summary>
public static class Traffic
{
    private static readonly (string Region, decimal Cost, decimal Basic)[] Stays =
    [
        ("450300", 80000m, 30000m), ("450300", 42000m, 12000m), ("450100", 65000m, 20000m), ("530100", 30000m, 9000m),
        ("220100", 51000m, 15000m), ("450300", 120000m, 40000m), ("530100", 47000m, 11000m), ("450100", 28000m, 8000m),
        ("450300", 36000m, 10000m), ("220100", 90000m, 35000m), ("450300", 58000m, 18000m), ("530100", 75000m, 25000m),
    ];

    public static async Task<BurstResult> BurstAsync(KestrelAppFactory factory, HttpClient hospital, string tag, int rounds = 2)
    {
        var ids = new List<string>();
        int settled = 0, reversed = 0, adjusted = 0, previewed = 0, rejected = 0, invalid = 0, replayed = 0;
        decimal settlementPayout = 0, reversalPayout = 0, adjustmentPayout = 0;
        var serial = 0;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (region, cost, basic) in Stays)
            {
                serial++;
                var insured = ResidentId.WithCheckDigit($"45030519{70 + serial % 30:00}0101{serial:000}"[..17]);
                ids.Add(insured);
                var body = Stay($"{tag}-{serial:000}", insured, region, cost, basic, "2020-10-12");
                var response = await hospital.PostAsJsonAsync("/v1/settlements", body);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                settlementPayout += (await Json(response)).GetProperty("payout").GetDecimal();
                settled++;
                if (serial % 3 == 0)
                {
                    Assert.Equal(HttpStatusCode.OK, (await hospital.PostAsJsonAsync("/v1/settlements/preview",
                        Stay($"{tag}-{serial:000}-p", insured, region, 20000m, 5000m, "2020-11-20"))).StatusCode);
                    previewed++;
                }
                // Minutes pass between groups of stays, so the per-minute chart has a shape.
                if (serial % 2 == 0) factory.Time.Advance(TimeSpan.FromMinutes(1));
            }
        }

        // A person with two stays; reversing the first re-prices the second (an adjustment).
        var twice = ResidentId.WithCheckDigit($"45030519650505{rounds:000}"[..17]);
        ids.Add(twice);
        foreach (var (suffix, cost) in new[] { ("a", 30000m), ("b", 60000m) })
        {
            var response = await hospital.PostAsJsonAsync("/v1/settlements", Stay($"{tag}-T{suffix}", twice, "450300", cost, 5000m, suffix == "a" ? "2020-06-10" : "2020-09-10"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            settlementPayout += (await Json(response)).GetProperty("payout").GetDecimal();
            settled++;
        }
        var reversal = await hospital.PostAsJsonAsync($"/v1/settlements/{tag}-Ta/reversal", new { reason = "cancelled by the hospital (2208)" });
        Assert.Equal(HttpStatusCode.Created, reversal.StatusCode);
        var reversalJson = await Json(reversal);
        reversalPayout += reversalJson.GetProperty("payout").GetDecimal();
        reversed++;
        foreach (var adjustment in reversalJson.GetProperty("adjustments").EnumerateArray())
        {
            adjustmentPayout += adjustment.GetProperty("payout").GetDecimal();
            adjusted++;
        }
        // A plain reversal of one of the burst's stays.
        var plain = await hospital.PostAsJsonAsync($"/v1/settlements/{tag}-001/reversal", new { reason = "duplicate settlement" });
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);
        reversalPayout += (await Json(plain)).GetProperty("payout").GetDecimal();
        reversed++;
        factory.Time.Advance(TimeSpan.FromMinutes(1));

        // Business rejections (audited), a replay, an invalid body, a reversal of nothing.
        var nowhere = ResidentId.WithCheckDigit("45030519900101777");
        ids.Add(nowhere);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await hospital.PostAsJsonAsync("/v1/settlements", Stay($"{tag}-X1", nowhere, "990100", 50000m, 1000m, "2020-10-12"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await hospital.PostAsJsonAsync("/v1/settlements/preview", Stay($"{tag}-X2", nowhere, "990100", 50000m, 1000m, "2020-10-12"))).StatusCode);
        rejected += 2;
        var replay = await hospital.PostAsJsonAsync("/v1/settlements", Stay($"{tag}-002", ids[1], Stays[1].Region, Stays[1].Cost, Stays[1].Basic, "2020-10-12"));
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        replayed++;
        var badId = ids[0][..17] + (ids[0][17] == '0' ? '1' : '0');
        ids.Add(badId);
        Assert.Equal(HttpStatusCode.BadRequest, (await hospital.PostAsJsonAsync("/v1/settlements", Stay($"{tag}-X3", badId, "450300", 1000m, 0m, "2020-10-12"))).StatusCode);
        invalid++;
        Assert.Equal(HttpStatusCode.NotFound, (await hospital.PostAsJsonAsync($"/v1/settlements/{tag}-none/reversal", new { reason = "typo" })).StatusCode);

        // Ledger reads carry the resident ID in the URL (api.md): they must not carry it into telemetry.
        Assert.Equal(HttpStatusCode.OK, (await hospital.GetAsync($"/v1/ledgers/450300/{twice}/2020")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hospital.GetAsync($"/v1/ledgers/{Stays[0].Region}/{ids[0]}/2020")).StatusCode);

        return new BurstResult(ids, settled, reversed, adjusted, previewed, rejected, invalid, replayed, settlementPayout, reversalPayout, adjustmentPayout);
    }

    private static object Stay(string settlementId, string insuredId, string region, decimal cost, decimal basic, string discharge) => new
    {
        settlementId, insuredId, regionCode = region, admissionDate = "2020-06-01", dischargeDate = discharge,
        inPolicyCost = cost, basicInsurancePaid = basic, referredOutOfRegion = false,
    };

    private static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();
}

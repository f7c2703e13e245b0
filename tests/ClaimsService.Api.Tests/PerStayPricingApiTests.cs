using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>
/// Per-stay pricing through HTTP (rules.md "What enters the calculation"; issue 10): the audit's referral cases, a
/// reversal that changes the most favourable category, combinedRateCap and policyYearBy. Each test publishes the set of a
/// Guangxi county of its own.
/// </summary>
public abstract class PerStayPricingApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _admin = factory.ClientFor("admin");
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    /// <summary>The audit's set: deductible 10 000, 50 % up to 50 000, 70 % above, referral minimum 60 %.</summary>
    private async Task PublishAuditSetAsync(string region)
    {
        var set = ParameterSet(region);
        set["bands"] = new JsonArray(new JsonObject { ["from"] = 0, ["rate"] = 0.5m }, new JsonObject { ["from"] = 50_000m, ["rate"] = 0.7m });
        set["referralMinRate"] = 0.6m;
        await PublishAsync(set);
    }

    private async Task<decimal[]> SettleInOrderAsync(string region, params (decimal Eligible, bool Referred)[] stays)
    {
        var person = NewInsuredId();
        var payouts = new List<decimal>();
        foreach (var (eligible, referred) in stays)
            payouts.Add((await SettleAsync(Settlement(person, eligible, region) with { ReferredOutOfRegion = referred })).Money("payout"));
        return [.. payouts];
    }

    [Fact]
    public async Task AReferredStayAfterALocalOneIsPaidTheMinimumOnItsOwnCostsOnly()
    {
        // Local 20 000: 10 000 × 0.5 = 5 000. Referred 20 000: 20 000 × 0.6 = 12 000 (the audit found 13 000).
        await PublishAuditSetAsync("450330");
        Assert.Equal([5_000m, 12_000m], await SettleInOrderAsync("450330", (20_000m, false), (20_000m, true)));
    }

    [Fact]
    public async Task ALocalStayAfterAReferredOneIsPaidTheLocalRate()
    {
        // Referred 20 000: 10 000 × 0.6 = 6 000. Local 20 000: 20 000 × 0.5 = 10 000 (the audit found 9 000).
        await PublishAuditSetAsync("450331");
        Assert.Equal([6_000m, 10_000m], await SettleInOrderAsync("450331", (20_000m, true), (20_000m, false)));
    }

    [Fact]
    public async Task ALocalStayInTheUpperBandAfterAReferredOneIsPaidThatBandsRate()
    {
        // Referred 60 000: 40 000 × 0.6 + 10 000 × 0.7 = 31 000. Local 10 000 at 70 %: 7 000 (the audit found 3 000).
        await PublishAuditSetAsync("450332");
        var person = NewInsuredId();
        var first = await SettleAsync(Settlement(person, 60_000m, "450332") with { ReferredOutOfRegion = true });
        var second = await SettleAsync(Settlement(person, 10_000m, "450332"));

        Assert.Equal(31_000m, first.Money("payout"));
        Assert.Equal(7_000m, second.Money("payout"));
        var step = Assert.Single(second.GetProperty("trace").EnumerateArray());
        Assert.Equal((60_000m, 70_000m, 0.7m, 7_000m), (step.Money("from"), step.Money("to"), step.Money("rate"), step.Money("amount")));
    }

    [Fact]
    public async Task AfterAReversalTheLaterStayIsRepricedUnderTheCategoryThatNowPaysMost()
    {
        // Deductible 10 000, 60 %; extreme poverty: deductible 0; subsistence: deductible 5 000, +40 pp. The person is in both
        // from 2020-10-01. A (discharged 2020-09-10, general) 20 000: 6 000. B (2020-10-12) 10 000 from 20 000: extreme poverty
        // 6 000, subsistence 10 000 → subsistence. A reversed: B alone, extreme poverty 6 000 against subsistence 5 000
        // → an adjustment of −4 000 under extreme poverty, as a fresh settlement of B would price it.
        const string region = "450333";
        var set = ParameterSet(region);
        set["bands"] = new JsonArray(new JsonObject { ["from"] = 0, ["rate"] = 0.6m });
        set["categories"] = new JsonObject
        {
            ["extreme_poverty"] = new JsonObject { ["deductible"] = 0m },
            ["subsistence"] = new JsonObject { ["deductible"] = 5_000m, ["rateBonus"] = 0.4m },
        };
        await PublishAsync(set);
        var person = NewInsuredId();
        await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(
            RegistryEntry(person, "extreme_poverty", validFrom: "2020-10-01", regionCode: region),
            RegistryEntry(person, "subsistence", validFrom: "2020-10-01", regionCode: region)))).ShouldBeAsync(HttpStatusCode.Created);
        var a = Settlement(person, 20_000m, region) with { AdmissionDate = "2020-09-01", DischargeDate = "2020-09-10" };
        Assert.Equal(6_000m, (await SettleAsync(a)).Money("payout"));
        var b = await SettleAsync(Settlement(person, 10_000m, region));
        Assert.Equal(("subsistence", 10_000m), (b.Text("category"), b.Money("payout")));

        var reversal = await (await _hospital.PostJsonAsync($"/v1/settlements/{a.SettlementId}/reversal", Reversal())).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal(-6_000m, reversal.Money("payout"));
        var adjustment = Assert.Single(reversal.GetProperty("adjustments").EnumerateArray());
        Assert.Equal(("extreme_poverty", -4_000m), (adjustment.Text("category"), adjustment.Money("payout")));
        var ledger = await _hospital.LedgerAsync(region, person);
        Assert.Equal((10_000m, 6_000m), (ledger.EligibleToDate, ledger.PaidToDate));
    }

    [Fact]
    public async Task CombinedRateCapKeepsBasicInsurancePlusThePayoutWithinItsShareOfTheCost()
    {
        // Deductible 10 000, 60 %, combinedRateCap 0.9. Stay 1: cost 50 000, basic 30 000: 10 000 × 0.6 = 6 000.
        // Stay 2: cost 100 000, basic 85 000, eligible 15 000: bands 9 000, at most 90 000 − 85 000 = 5 000.
        const string region = "450334";
        var set = ParameterSet(region);
        set["bands"] = new JsonArray(new JsonObject { ["from"] = 0, ["rate"] = 0.6m });
        set["combinedRateCap"] = 0.9m;
        await PublishAsync(set);
        var person = NewInsuredId();

        var first = await SettleAsync(Settlement(person, 20_000m, region));
        var second = await SettleAsync(Settlement(person, 15_000m, region) with { InPolicyCost = 100_000m, BasicInsurancePaid = 85_000m });

        Assert.Equal(6_000m, first.Money("payout"));
        Assert.Equal(5_000m, second.Money("payout"));
        Assert.True(second.GetProperty("capApplied").GetBoolean());
        Assert.Equal(9_000m, Assert.Single(second.GetProperty("trace").EnumerateArray()).Money("amount"));
        var ledger = await _hospital.LedgerAsync(region, person);
        Assert.Equal((35_000m, 11_000m), (ledger.EligibleToDate, ledger.PaidToDate));
    }

    /// <summary>A 2019 set (deductible 10 000) and a 2020 set (deductible 20 000) saying how the policy year is decided.</summary>
    private async Task<(string Set2019, string Set2020)> PublishCrossYearSetsAsync(string region, string policyYearBy)
    {
        var older = await PublishAsync(ParameterSet(region, effectiveFrom: "2019-01-01", deductible: 10_000m));
        var newer = ParameterSet(region, effectiveFrom: "2020-01-01", deductible: 20_000m);
        newer["policyYearBy"] = policyYearBy;
        return (older.Text("id"), (await PublishAsync(newer)).Text("id"));
    }

    [Fact]
    public async Task WithPolicyYearByAdmissionACrossYearStayJoinsItsAdmissionYearAtThatYearsSet()
    {
        // Admitted 2019-12-20, discharged 2020-01-05; the 2020 set says admission: 2019's set and year,
        // (50 000 − 10 000) × 0.5 = 20 000.
        var (set2019, _) = await PublishCrossYearSetsAsync("450335", "admission");
        var stay = Settlement(NewInsuredId(), 50_000m, "450335") with { AdmissionDate = "2019-12-20", DischargeDate = "2020-01-05" };

        var settled = await SettleAsync(stay);

        Assert.Equal((2019, set2019, 20_000m), (settled.GetProperty("policyYear").GetInt32(), settled.GetProperty("parameterSet").Text("id"), settled.Money("payout")));
        Assert.Equal(50_000m, (await _hospital.LedgerAsync("450335", stay.InsuredId, 2019)).EligibleToDate);
        await _hospital.ShouldHaveEmptyLedgerAsync("450335", stay.InsuredId, 2020);
    }

    [Fact]
    public async Task ByDefaultACrossYearStayJoinsItsDischargeYearAtThatYearsSet()
    {
        // The 2020 set says discharge: (50 000 − 20 000) × 0.5 = 15 000 in 2020.
        var (_, set2020) = await PublishCrossYearSetsAsync("450336", "discharge");
        var stay = Settlement(NewInsuredId(), 50_000m, "450336") with { AdmissionDate = "2019-12-20", DischargeDate = "2020-01-05" };

        var settled = await SettleAsync(stay);

        Assert.Equal((2020, set2020, 15_000m), (settled.GetProperty("policyYear").GetInt32(), settled.GetProperty("parameterSet").Text("id"), settled.Money("payout")));
    }

    [Fact]
    public async Task WithPolicyYearByAdmissionAndNoSetOnTheAdmissionDateNothingIsInForce()
    {
        var set = ParameterSet("450339", effectiveFrom: "2020-01-01");
        set["policyYearBy"] = "admission";
        await PublishAsync(set);
        var stay = Settlement(NewInsuredId(), 50_000m, "450339") with { AdmissionDate = "2019-12-20", DischargeDate = "2020-01-05" };

        var problem = await (await _hospital.PostJsonAsync("/v1/settlements", stay)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "no_parameters_in_force");

        Assert.Contains("2019-12-20", problem.Text("detail"));
        await _hospital.ShouldHaveEmptyLedgerAsync("450339", stay.InsuredId, 2019);
    }

    private async Task<JsonElement> PublishAsync(JsonObject set) =>
        await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeAsync(HttpStatusCode.Created);

    private async Task<JsonElement> SettleAsync(SettlementBody body) =>
        await (await _hospital.PostJsonAsync("/v1/settlements", body)).ShouldBeAsync(HttpStatusCode.Created);
}

public sealed class SqlitePerStayPricingApiTests(SqliteAppFactory f) : PerStayPricingApiTests<SqliteAppFactory>(f);

using System.Net;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>/v1/categories: categories are data (api.md "Parameter sets"); sets and the registry accept catalogued codes only.</summary>
public abstract class CategoriesApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _admin = factory.ClientFor("admin");
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);

    private static JsonObject Category(string code, string name = "返贫致贫人口", string? nationalCode = null) =>
        new() { ["code"] = code, ["name"] = name, ["nationalCode"] = nationalCode };

    [Fact]
    public async Task TheCatalogueStartsWithTheSixBuiltInCategoriesAndTheirChineseNames()
    {
        var listed = await (await _hospital.GetAsync("/v1/categories")).ShouldBeAsync(HttpStatusCode.OK);

        var categories = listed.GetProperty("categories").EnumerateArray().Select(c => (c.Text("code"), c.Text("name"))).ToList();
        Assert.Equal(
        [
            ("extreme_poverty", "特困人员"), ("general", "普通居民"), ("marginal", "边缘户"),
            ("poverty_monitored", "脱贫监测户"), ("registered_poor", "建档立卡贫困人口"), ("subsistence", "低保对象"),
        ], categories.Take(6));
    }

    [Fact]
    public async Task AnAdminCataloguesANewCategoryOnceAndASecondTimeIsAConflict()
    {
        var created = await (await _admin.PostJsonAsync("/v1/categories", Category("relapse_risk_a", nationalCode: "X01"))).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal(("relapse_risk_a", "返贫致贫人口", "X01"), (created.Text("code"), created.Text("name"), created.Text("nationalCode")));
        var listed = await (await _admin.GetAsync("/v1/categories")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Contains(listed.GetProperty("categories").EnumerateArray(), c => c.Text("code") == "relapse_risk_a");
        await (await _admin.PostJsonAsync("/v1/categories", Category("relapse_risk_a", "another name"))).ShouldBeProblemAsync(HttpStatusCode.Conflict, "category_exists");
        await (await _admin.PostJsonAsync("/v1/categories", Category("general", "普通居民"))).ShouldBeProblemAsync(HttpStatusCode.Conflict, "category_exists");
    }

    [Theory]
    [InlineData("Relapse")]
    [InlineData("relapse-risk")]
    [InlineData("")]
    public async Task AMalformedCodeIsRefused(string code) =>
        await (await _admin.PostJsonAsync("/v1/categories", Category(code))).ShouldBeValidationProblemAsync("code");

    [Fact]
    public async Task OnlyAnAdminCataloguesACategory() =>
        Assert.Equal(HttpStatusCode.Forbidden, (await _hospital.PostJsonAsync("/v1/categories", Category("by_hospital"))).StatusCode);

    [Fact]
    public async Task ASetOrARegistryEntryNamingAnUncataloguedCodeIsRefused()
    {
        var set = ParameterSet("450337");
        set["categories"] = new JsonObject { ["not_catalogued"] = new JsonObject { ["rateBonus"] = 0.1m } };
        await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeValidationProblemAsync("categories.not_catalogued");
        await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(RegistryEntry(NewInsuredId(), "not_catalogued"))))
            .ShouldBeValidationProblemAsync("[0].category");
    }

    [Fact]
    public async Task ACataloguedCategoryIsChosenWhenItIsTheMostFavourable()
    {
        // A set (deductible 10 000, 50 %, registered poor deductible 3 000 +10 pp) with relapse_risk_b at deductible 0, +30 pp.
        // Eligible 50 000: relapse_risk_b 50 000 × 0.8 = 40 000; registered poor 47 000 × 0.6 = 28 200; general 20 000.
        const string region = "450338";
        await (await _admin.PostJsonAsync("/v1/categories", Category("relapse_risk_b"))).ShouldBeAsync(HttpStatusCode.Created);
        var set = ParameterSet(region);
        set["categories"]!["relapse_risk_b"] = new JsonObject { ["deductible"] = 0m, ["rateBonus"] = 0.3m };
        await (await _admin.PostJsonAsync("/v1/parameter-sets", set)).ShouldBeAsync(HttpStatusCode.Created);
        var person = NewInsuredId();
        await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(
            RegistryEntry(person, "registered_poor", regionCode: region), RegistryEntry(person, "relapse_risk_b", regionCode: region))))
            .ShouldBeAsync(HttpStatusCode.Created);

        var settled = await (await _hospital.PostJsonAsync("/v1/settlements", Settlement(person, 50_000m, region))).ShouldBeAsync(HttpStatusCode.Created);

        Assert.Equal(("relapse_risk_b", 40_000m), (settled.Text("category"), settled.Money("payout")));
    }
}

public sealed class SqliteCategoriesApiTests(SqliteAppFactory f) : CategoriesApiTests<SqliteAppFactory>(f);

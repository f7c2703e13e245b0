using System.ComponentModel.DataAnnotations;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Categories;

/// <summary>The body of <c>POST /v1/categories</c>.</summary>
public sealed record CategoryRequest
{
    /// <summary>1–32 lowercase letters, digits and '_', starting with a letter (e.g. relapse_risk).</summary>
    [Required] public string? Code { get; init; }
    /// <summary>The category's name as the documents write it (e.g. 返贫致贫人口).</summary>
    [Required] public string? Name { get; init; }
    /// <summary>The national platform's code for the person type, when there is one.</summary>
    public string? NationalCode { get; init; }
}

public sealed record CategoryResponse(string Code, string Name, string? NationalCode)
{
    public static CategoryResponse From(CatalogueEntry e) => new(e.Code, e.Name, e.NationalCode);
}

public sealed record CategoriesResponse(IReadOnlyList<CategoryResponse> Categories);

/// <summary>
/// The catalogue of person categories (api.md "Parameter sets"): the six built-in codes and those a region adds, e.g. national
/// person types such as 返贫致贫人口, without a release. A set's adjustments and the registry accept catalogued codes only.
/// </summary>
public static class CategoriesApi
{
    public static IEndpointRouteBuilder MapCategoriesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/categories").WithTags("Categories").RequireAuthorization().WithStandardProblems();
        group.MapGet("/", List).WithName("ListCategories").WithSummary("The catalogued person categories.");
        group.MapPost("/", Add).WithName("AddCategory").WithSummary("Catalogue a person category: 201, or 409 category_exists.")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Ok<CategoriesResponse>> List(CategoryStore store, CancellationToken ct) =>
        TypedResults.Ok(new CategoriesResponse((await store.AllAsync(ct)).Select(CategoryResponse.From).ToList()));

    public static async Task<Results<Created<CategoryResponse>, ValidationProblem, ProblemHttpResult>> Add(
        CategoryRequest request, CategoryStore store, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var e = new FieldErrors();
        if (!PersonCategory.TryParse(request.Code, out var category))
            e.Add("code", $"1 to {PersonCategory.MaxLength} lowercase letters, digits and '_', starting with a letter.");
        var name = e.Required("name", request.Name, 100);
        e.Text("nationalCode", request.NationalCode, 32);
        if (e.Any) return Problems.Validation(e.ToDictionary());

        var entry = new CatalogueEntry(category.Code, name, request.NationalCode);
        if (!await store.AddAsync(entry, Caller.From(http.User).AuditName, time.UtcNowStored(), ct))
            return Problems.Of(409, ProblemCodes.CategoryExists, category.Code);
        return TypedResults.Created($"/v1/categories/{category.Code}", CategoryResponse.From(entry));
    }
}

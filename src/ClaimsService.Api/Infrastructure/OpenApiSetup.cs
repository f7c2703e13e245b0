using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClaimsService.Api.Infrastructure;

/// <summary>The generated OpenAPI document: the API key scheme, the problems every call can answer, money as decimal.</summary>
public static class OpenApiSetup
{
    public const string SecuritySchemeName = "ApiKey";

    public static IServiceCollection AddClaimsOpenApi(this IServiceCollection services) => services.AddOpenApi(o =>
    {
        o.AddDocumentTransformer((doc, _, _) =>
        {
            // Linters (redocly, spectral) want a server: relative, so the document is right wherever it is served.
            doc.Servers = [new OpenApiServer { Url = "/", Description = "The host that serves this document; clients set their deployment's address." }];
            doc.Info.Title = "ClaimsService";
            doc.Info.Contact = new OpenApiContact { Name = "ClaimsService maintainers (see README.md)" };
            if (doc.Tags is { } tags)
                foreach (var tag in tags)
                    tag.Description ??= TagDescriptions.GetValueOrDefault(tag.Name ?? "");
            doc.Info.Description = "Serious-illness insurance (城乡居民大病保险) adjudication: settlement, reconciliation, operations. "
                + "Every /v1 call sends `Authorization: ApiKey <key>`. Errors are application/problem+json with a stable `code`.";
            doc.Components ??= new OpenApiComponents();
            doc.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [SecuritySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "Authorization",
                    Description = "`ApiKey <key>`; keys are created with `ClaimsService.Api keys create`.",
                },
            };
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var authorized = metadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any();
            // An anonymous operation says so with an empty requirement rather than by leaving security out.
            operation.Security = authorized
                ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [] }]
                : [new OpenApiSecurityRequirement()];
            // The description every operation gets: what it does (its summary) and who may call it (its roles), from its metadata.
            if (string.IsNullOrEmpty(operation.Description))
                operation.Description = $"{operation.Summary} {WhoMayCall(metadata, authorized)}".Trim();
            // Query dates bind through IsoDate (yyyy-MM-dd only): on the wire, a string of format date.
            foreach (var parameter in context.Description.ParameterDescriptions)
                if ((Nullable.GetUnderlyingType(parameter.Type) ?? parameter.Type) == typeof(IsoDate)
                    && operation.Parameters?.FirstOrDefault(p => p.Name == parameter.Name)?.Schema is OpenApiSchema schema)
                    schema.Format = "date";
            return Task.CompletedTask;
        });
        // Money and rates are decimals on the wire: say so, rather than "double".
        o.AddSchemaTransformer((schema, context, _) =>
        {
            var nullable = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type);
            var type = nullable ?? context.JsonTypeInfo.Type;
            if (type == typeof(decimal))
            {
                // ExactDecimalConverter reads them, so the schema is not inferred: a number, nullable as declared.
                schema.Type = nullable is null ? JsonSchemaType.Number : JsonSchemaType.Number | JsonSchemaType.Null;
                schema.Format = "decimal";
            }
            return Task.CompletedTask;
        });
    });

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Health"] = "Liveness and readiness probes; no key.",
        ["Ops"] = "The operations summary behind the dashboard.",
        ["Parameter sets"] = "Regions' policy parameters (起付线, bands, caps), append-only and versioned.",
        ["Registry"] = "Person categories from the poverty and assistance registries, with their lifecycle.",
        ["Settlements"] = "Discharge settlement for designated hospitals: settle, preview, read, reverse, void (冲正), explain.",
        ["Ledgers"] = "A person-year's eligible and paid to date, with every adjudication behind it.",
        ["Reconciliation"] = "Period totals, statements and checks for insurers and hospitals.",
        ["Audit"] = "The audit log, its seals and their verification, for auditors.",
        ["Clients"] = "API clients (keys): listed without secrets, revoked.",
        ["Categories"] = "The catalogue of person categories.",
    };

    private static string WhoMayCall(IList<object> metadata, bool authorized)
    {
        if (!authorized) return "No API key is needed.";
        var roles = metadata.OfType<Microsoft.AspNetCore.Authorization.AuthorizationPolicy>()
            .SelectMany(p => p.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>())
            .Select(r => r.AllowedRoles.ToHashSet()).Aggregate((HashSet<string>?)null, (all, next) => all is null ? next : [.. all.Intersect(next)]);
        return roles is null ? "Any valid API key may call it." : $"Role: {string.Join(" or ", roles.Order(StringComparer.Ordinal))}.";
    }

    /// <summary>The problems any authorised /v1 call can answer: 401, 403, 503 database_unavailable.</summary>
    public static RouteGroupBuilder WithStandardProblems(this RouteGroupBuilder group) =>
        group.ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}

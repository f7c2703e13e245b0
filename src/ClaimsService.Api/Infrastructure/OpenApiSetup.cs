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
            doc.Servers = [];
            doc.Info.Title = "ClaimsService";
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
            var authorized = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any();
            if (authorized)
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [] }];
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

    /// <summary>The problems any authorised /v1 call can answer: 401, 403, 503 database_unavailable.</summary>
    public static RouteGroupBuilder WithStandardProblems(this RouteGroupBuilder group) =>
        group.ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}

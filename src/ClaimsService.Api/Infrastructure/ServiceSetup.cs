using System.Text.Json.Serialization;
using ClaimsService.Api.Audit;
using ClaimsService.Api.Ops;
using ClaimsService.Api.Parameters;
using ClaimsService.Api.Settlements;
using ClaimsService.Api.Telemetry;
using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using ClaimsService.Data.Ops;
using ClaimsService.Data.Reconciliation;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Infrastructure;

/// <summary>The wiring of the service, out of Program.cs.</summary>
public static class ServiceSetup
{
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>Problem details, JSON, request limits, auth and OpenAPI.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemLocalization();
        services.AddExceptionHandler<ErrorHandler>();
        // Unreadable bodies throw, so ErrorHandler answers them as validation problems in every environment.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            // A key given twice is refused rather than the last one winning ("inPolicyCost": 1000, "inPolicyCost": 80000).
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.Converters.Add(new ExactDecimalConverter());
        });
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = MaxBodyBytes);
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddAuthentication(ApiKeyHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddSingleton<ApiKeyUsage>();
        services.AddHostedService<ApiKeyUsageWriter>();
        services.AddClaimsOpenApi();
        services.AddClaimsHealthChecks();
        return builder;
    }

    /// <summary>The database, its stores, the parameter cache and the features' services.</summary>
    public static WebApplicationBuilder AddClaimsServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        DapperSetup.Configure();
        services.AddOptions<DatabaseOptions>()
            .Bind(builder.Configuration.GetSection(DatabaseOptions.Section))
            .Configure(o => o.ConnectionString = builder.Configuration.GetConnectionString("Claims") ?? o.ConnectionString)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // The provider is needed while registering (it picks the dialect); everything else comes from the bound options.
        var dialect = SqlDialect.For(builder.Configuration.GetSection(DatabaseOptions.Section)
            .GetValue(nameof(DatabaseOptions.Provider), DatabaseProvider.Sqlite));
        services.AddSingleton(dialect);
        services.AddDatabaseResilience(dialect);
        services.AddSingleton<Db>();
        services.AddSingleton<ParameterSetStore>();
        services.AddSingleton<RegistryStore>();
        services.AddSingleton<CategoryStore>();
        services.AddSingleton<SettlementStore>();
        services.AddSingleton<ReadjudicationStore>();
        services.AddSingleton<Readjudication.ReadjudicationHooks>();
        services.AddOptions<Readjudication.ReadjudicationOptions>().Bind(builder.Configuration.GetSection(Readjudication.ReadjudicationOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<ApiClientStore>();
        services.AddSingleton<ReconciliationStore>();
        services.AddSingleton<ReconciliationRunStore>();
        services.AddSingleton<Reconciliation.ReconciliationRecorder>();
        services.AddSingleton<OpsStore>();
        services.AddSingleton<InstanceMinutesStore>();
        services.AddOptions<OpsOptions>().Bind(builder.Configuration.GetSection(OpsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OpsFlusher>();
        services.AddHostedService(s => s.GetRequiredService<OpsFlusher>());
        services.AddSingleton<RegionNames>();
        services.AddSingleton<OpsSummaryBuilder>();
        services.AddSingleton<ParameterSetCache>();
        services.AddSingleton<ReferenceData>();
        services.AddHostedService<ParameterSetRefresher>();
        services.AddSingleton<CommitPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<CommitPipeline>());
        services.AddScoped<SettlementService>();
        services.AddScoped<Readjudication.ReadjudicationService>();
        services.AddAudit(builder.Configuration);
        return builder;
    }

    /// <summary>Exception handling, the body limit for hosts that do not enforce Kestrel's, auth, OpenAPI.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        // First, so the exception handler and the status code pages see the request's language too.
        app.UseRequestLocalization();
        app.UseExceptionHandler();
        // Endpoint selection answers an unknown path, method or content type with an empty 404/405/415: make those problems too.
        app.UseStatusCodePages(context => EmptyStatusProblem(context.HttpContext.Response.StatusCode).ExecuteAsync(context.HttpContext));
        app.UseRouting();
        app.Use(async (http, next) =>
        {
            // Kestrel enforces the limit on the wire; this answers early, and in hosts that do not enforce it.
            var limit = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } m ? m.MaxRequestBodySize : MaxBodyBytes;
            if (http.Request.ContentLength > limit)
            {
                await Problems.PayloadTooLarge().ExecuteAsync(http);
                return;
            }
            if (limit is { } max && http.Request.ContentLength is null) http.Request.Body = new BodyLimit(http.Request.Body, max);
            await next(http);
        });
        app.UseAdjudicationOutcomes();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapOpenApi("/openapi/{documentName}.yaml");
        return app;
    }

    private static IResult EmptyStatusProblem(int status) => status switch
    {
        StatusCodes.Status404NotFound => Problems.Of(status, ProblemCodes.NotFound),
        StatusCodes.Status405MethodNotAllowed => Problems.Of(status, ProblemCodes.MethodNotAllowed),
        StatusCodes.Status413PayloadTooLarge => Problems.PayloadTooLarge(),
        StatusCodes.Status415UnsupportedMediaType => Problems.UnsupportedMediaType(),
        _ => Problems.Of(status, ProblemCodes.ForStatus(status), status),
    };
}

using System.Diagnostics;
using ClaimsService.Api.Ops;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ClaimsService.Api.Telemetry;

/// <summary>
/// Telemetry in one place (style.md §9): one ActivitySource and one Meter named after the service, the
/// instrumentations of ASP.NET Core, SqlClient, Npgsql and Polly, OTLP export when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set and a Prometheus scrape endpoint at <c>/metrics</c>.
/// No resident ID is ever a tag, a label or a log value; the one place a URL carries one (the ledger route)
/// is masked in the server span.
/// </summary>
public static class ClaimsTelemetry
{
    public const string ServiceName = "ClaimsService";

    /// <summary>Our spans: one per adjudication (settle, preview, reversal).</summary>
    public static readonly ActivitySource Source = new(ServiceName, typeof(ClaimsTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Polly's meter (Polly.Extensions reports the "claims-db" pipeline's retries, timeouts and breaker events on it).</summary>
    public const string PollyMeter = "Polly";

    public static WebApplicationBuilder AddClaimsTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ClaimsMetrics>();
        services.AddSingleton<AdjudicationWindow>();

        // The ledger URL carries a resident ID (api.md). ASP.NET Core's hosting logger writes the URL in its request logs and
        // opens a scope holding the path around every log of the request, but only while that category is enabled: off.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var version = typeof(ClaimsTelemetry).Assembly.GetName().Version?.ToString();
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceVersion: version, serviceInstanceId: Environment.MachineName))
            .WithTracing(t =>
            {
                // Spans are recorded only when something exports them. Without an exporter every span was still built and tagged
                // (ours, ASP.NET Core's, one per Npgsql command): 1-2 % of a request's CPU in perf (bench/README.md "CPU trimming").
                // AlwaysOff still creates the request's root activity for propagation, so audit entries keep their trace id.
                if (!otlp) t.SetSampler(new AlwaysOffSampler());
                AddTracing(t);
            })
            .WithMetrics(m => m
                .AddMeter(ServiceName, PollyMeter, "System.Runtime")
                .AddAspNetCoreInstrumentation()
                .AddSqlClientInstrumentation()
                .AddNpgsqlInstrumentation()
                // Every scrape reads the instruments afresh: Prometheus scrapes seldom, and a cached answer hides the latest counts.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (otlp)
        {
            // Logs leave the process only through OTLP; scopes stay home (ASP.NET Core's carries the request path).
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = false;
            });
            otel.UseOtlpExporter();
        }
        return builder;
    }

    private static void AddTracing(TracerProviderBuilder t) => t
        .AddSource(ServiceName)
        .AddAspNetCoreInstrumentation(o =>
        {
            o.Filter = http => !IsNoise(http.Request.Path);
            o.EnrichWithHttpRequest = (activity, request) =>
            {
                if (Redaction.MaskResidentIds(request.Path.Value) is { } masked) activity.SetTag("url.path", masked);
                // The registry's reads take a resident ID in the query string (api.md "Registry").
                if (Redaction.MaskResidentIds(request.QueryString.Value) is { } query) activity.SetTag("url.query", query);
            };
        })
        .AddSqlClientInstrumentation()
        .AddNpgsql();

    /// <summary>The Prometheus scrape endpoint, <c>/metrics</c>, open like the health endpoints.</summary>
    public static IEndpointRouteBuilder MapClaimsTelemetry(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    // Probes and scrapes every few seconds would drown the traces that matter.
    private static bool IsNoise(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/dashboard");
}

using ClaimsService.Api.Audit;
using ClaimsService.Api.Categories;
using ClaimsService.Api.Clients;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Ledgers;
using ClaimsService.Api.Ops;
using ClaimsService.Api.Parameters;
using ClaimsService.Api.Readjudication;
using ClaimsService.Api.Reconciliation;
using ClaimsService.Api.Registry;
using ClaimsService.Api.Settlements;
using ClaimsService.Api.Telemetry;

if (HealthProbe.IsVerb(args)) return await HealthProbe.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddClaimsTelemetry();
builder.AddClaimsServices();
builder.AddCliLogging(args);

var app = builder.Build();
if (Cli.IsVerb(args)) return await Cli.RunAsync(app, args);

app.UseServiceDefaults();
app.MapHealthApi();
app.MapClaimsTelemetry();
app.MapOpsApi();
app.MapDashboard();
app.MapCategoriesApi();
app.MapParametersApi();
app.MapRegistryApi();
app.MapSettlementsApi();
app.MapReadjudicationApi();
app.MapLedgersApi();
app.MapReconciliationApi();
app.MapClientsApi();
app.MapAuditApi();

await app.PrepareDatabaseAsync();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory.</summary>
public partial class Program;

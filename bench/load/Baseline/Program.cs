// The bare baseline of bench/load/run.sh: the same host defaults as the service, one route, no auth, no
// database, no JSON work. It answers every POST /v1/settlements/preview with the same bytes: a real preview
// answer captured by the harness (BASELINE_BODY_FILE), so both apps send bodies of the same size.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

var path = Environment.GetEnvironmentVariable("BASELINE_BODY_FILE");
var body = path is { Length: > 0 } ? await File.ReadAllBytesAsync(path) : System.Text.Encoding.UTF8.GetBytes($"{{\"payout\":0,\"pad\":\"{new string('x', 900)}\"}}");

// BASELINE_DELAY_MS (run.sh's paced baseline): each answer waits that long on a timer first, so that at 32 connections the
// app answers at about the service's rate and pays a wake-up per request as the service does for its database.
var delay = TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable("BASELINE_DELAY_MS"), out var ms) ? ms : 0);
app.MapPost("/v1/settlements/preview", async () =>
{
    if (delay > TimeSpan.Zero) await Task.Delay(delay);
    return Results.Bytes(body, "application/json");
});
app.MapGet("/health/ready", () => "Healthy");
app.Run();

using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Settlements;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace ClaimsService.Api.Readjudication;

/// <summary>
/// Re-adjudication runs (admin): re-price settled person-years with what is known now and pay the differences openly,
/// top-ups (补付) and recoveries (追回) apart (api.md "Re-adjudication runs").
/// </summary>
public static class ReadjudicationApi
{
    public static IEndpointRouteBuilder MapReadjudicationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/readjudications").WithTags("Readjudications").RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithStandardProblems();
        group.MapPost("/", Run).WithName("RunReadjudication")
            .WithSummary("Dry run (200, nothing written), committed run (201), replay (200 with Idempotent-Replayed: true); resumable by runId.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{runId}", Get).WithName("GetReadjudication").WithSummary("A run's answer.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{runId}/adjustments", Adjustments).WithName("GetReadjudicationAdjustments")
            .WithSummary("The run's adjustments, streamed as CSV or NDJSON.").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Created<ReadjudicationResponse>, Ok<ReadjudicationResponse>, ValidationProblem, ProblemHttpResult>> Run(
        ReadjudicationRequest request, ReadjudicationService service, HttpContext http, CancellationToken ct)
    {
        var (valid, errors) = request.Validate();
        if (valid is null) return Problems.Validation(errors.ToDictionary());
        switch (await service.RunAsync(valid, Caller.From(http.User), ct))
        {
            case ReadjudicationOutcome.Done { Replayed: true } d:
                http.Response.Headers[SettlementsApi.ReplayHeader] = "true";
                return TypedResults.Ok(d.Response);
            case ReadjudicationOutcome.Done { Response.DryRun: true } d:
                return TypedResults.Ok(d.Response);
            case ReadjudicationOutcome.Done d:
                return TypedResults.Created($"/v1/readjudications/{Uri.EscapeDataString(d.Response.RunId)}", d.Response);
            case ReadjudicationOutcome.Rejected r:
                return Problems.Of(r.Status, r.Code, r.Args);
            default:
                throw new InvalidOperationException("Unknown outcome.");
        }
    }

    public static async Task<Results<Ok<ReadjudicationResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string runId, ReadjudicationService service, CancellationToken ct)
    {
        if (ValidRunId(runId) is { } problem) return problem;
        return await service.FindAsync(runId, ct) is { } run ? TypedResults.Ok(run) : NotFound(runId);
    }

    public static async Task<Results<RunAdjustmentsResult, ValidationProblem, ProblemHttpResult>> Adjustments(
        string runId, string? format, ReadjudicationService service, ReadjudicationStore store, CancellationToken ct)
    {
        if (ValidRunId(runId) is { } problem) return problem;
        var ndjson = format switch
        {
            null or "csv" => false,
            "ndjson" => true,
            _ => (bool?)null,
        };
        if (ndjson is null) return Problems.Validation("format", "csv or ndjson.");
        if (await store.FindAsync(runId, ct) is null) return NotFound(runId);
        return new RunAdjustmentsResult(store, runId, ndjson.Value);
    }

    private static ValidationProblem? ValidRunId(string runId)
    {
        var (_, errors) = new ReadjudicationRequest { RunId = runId, RegionCode = "110000", PolicyYear = 2020, Reason = "-", DryRun = true }.Validate();
        return errors.Any ? Problems.Validation(errors.ToDictionary()) : null;
    }

    private static ProblemHttpResult NotFound(string runId) =>
        Problems.Of(404, ProblemCodes.ReadjudicationNotFound, runId);
}

/// <summary>Streams a run's adjustments off one open reader into the response, flushing as it goes.</summary>
public sealed class RunAdjustmentsResult(ReadjudicationStore store, string runId, bool ndjson) : IResult, IEndpointMetadataProvider
{
    public const string CsvHeader = "adjudicationId,settlementId,hospitalCode,insuredId,payoutBefore,payoutAfter,difference,categoryBefore," +
        "categoryAfter,parameterSetIdBefore,parameterSetVersionBefore,parameterSetIdAfter,parameterSetVersionAfter";

    public async Task ExecuteAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = ndjson ? "application/x-ndjson" : "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"readjudication-adjustments.{(ndjson ? "ndjson" : "csv")}\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 64 * 1024);
        if (!ndjson) await writer.WriteLineAsync(CsvHeader);
        var rows = 0;
        await foreach (var line in store.AdjustmentsAsync(runId, ct))
        {
            if (ndjson) await writer.WriteLineAsync(JsonSerializer.Serialize(RunAdjustmentContract.From(line), SettlementStore.Json));
            else await writer.WriteLineAsync(Csv(line));
            if (++rows % 1000 == 0) await writer.FlushAsync(ct);
        }
        await writer.FlushAsync(ct);
    }

    private static string Csv(RunAdjustmentLine l)
    {
        var inv = CultureInfo.InvariantCulture;
        return string.Join(',', Quote(l.AdjudicationId), Quote(l.SettlementId), Quote(l.HospitalCode), Quote(l.InsuredId),
            Money(l.PayoutBeforeFen), Money(l.PayoutAfterFen), Money(l.DifferenceFen), Quote(l.CategoryBefore), Quote(l.CategoryAfter),
            Quote(l.ParameterSetIdBefore), l.ParameterSetVersionBefore.ToString(inv), Quote(l.ParameterSetIdAfter), l.ParameterSetVersionAfter.ToString(inv));

        static string Money(long fen) => Domain.Money.FromFen(fen).ToString("0.00", CultureInfo.InvariantCulture);
        static string Quote(string v) => v.AsSpan().IndexOfAny(",\"\r\n") < 0 ? v : $"\"{v.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(RunAdjustmentContract), ["text/csv", "application/x-ndjson"]));
}

using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Audit;
using ClaimsService.Data.Reconciliation;
using ClaimsService.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace ClaimsService.Api.Reconciliation;

/// <summary>
/// Reconciliation for the insurers who underwrite the cover (承办的商业保险机构), scoped to their contracted regions
/// (a province code covers its prefectures); ops keys read every region. Periods are inclusive business days in China
/// Standard Time (UTC+8) of adjudicatedAt. Every request is recorded in reconciliation_runs.
/// </summary>
public static class ReconciliationApi
{
    public const int MaxPeriodDays = 366;
    /// <summary>Largest |payout| a summary check accepts, CNY: keeps every figure within a long of fen.</summary>
    public const decimal MaxTotal = 10_000_000_000_000m;

    public static IEndpointRouteBuilder MapReconciliationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/reconciliation").WithTags("Reconciliation").RequireAuthorization(p => p.RequireRole(Roles.Insurer, Roles.Ops, Roles.Hospital))
            .WithStandardProblems();
        group.MapGet("/summary", Summary).WithName("ReconciliationSummary")
            .WithSummary("Settlements, reversals, adjustments and net of a region over business days (UTC+8), by category and by day.");
        group.MapPost("/summary-checks", SummaryCheck).WithName("ReconciliationSummaryCheck")
            .WithSummary("Check the insurer's count and payout of a region and period against the service's.")
            .WithDescription("""
                includeReversed (default true) chooses what is counted, like the national platform's refund flag.
                true: every adjudication of the period (settlements, reversals, adjustments); payout is their net sum,
                the summary's net. false: settlements not reversed by the end of the period and their adjustments only;
                reversal rows, reversed settlements and their adjustments are left out. A settlement counts as reversed
                when a reversal with the same hospitalCode and settlementId is dated on or before `to`, so both
                figures can be recomputed from the period's statement and a closed period's answer never changes.
                count is the number of adjudications (rows) counted. result is match when count and payout are both
                equal; differences are the insurer's figures minus the service's.
                """);
        group.MapGet("/statement", Statement).WithName("ReconciliationStatement")
            .WithSummary("Every settlement, reversal and adjustment of a region and period, streamed as CSV or NDJSON.")
            .WithDescription($"""
                format=csv (default) or ndjson. Rows are in a stable order: businessDate, adjudicatedAt, adjudicationId.
                Amounts are CNY with exactly two decimals (invariant, '.' separator); a reversal's amounts are negative.
                insuredId is the full resident identity number: the statement is for the contracted insurer, who
                reconciles per person. CSV: UTF-8, a header line `{CsvStatementWriter.Header}`, RFC 4180 quoting, and
                a last line `#trailer,rows=N,payout=X` (N rows above it, X the sum of their payout). NDJSON: one object per
                line and a last line {"{"}"trailer":{"{"}"rows":N,"payout":X{"}}"}. The answer is streamed while the
                database is read, so an error after the first byte cannot change the status: a download without its
                trailer is incomplete.
                """);
        group.MapPost("/detail-checks", DetailCheckAsync).WithName("ReconciliationDetailCheck")
            .WithSummary("Check the insurer's (or hospital's) rows (adjudicationId, setlId or settlementId, and payout) of a period one by one; streamed differences, then a summary.")
            .WithDescription($"""
                The body is the insurer's rows, any number, as text/csv (a header line naming adjudicationId and payout,
                other columns ignored, lines starting with # skipped) or application/x-ndjson (one object per line with
                adjudicationId and payout; objects with a trailer property skipped), so the service's own statement can
                be sent back as it is. The request size limit does not apply. The answer is NDJSON: one line per
                difference, {"{"}"type":"missing_in_service"|"amount_mismatch"|"duplicate_in_insurer"|"malformed"|"missing_in_insurer", …{"}"}
                (the first four in upload order, with the upload line; missing_in_insurer last, in statement order), then
                {"{"}"summary":{"{"}insurerRows, serviceRows, matched, missingInService, missingInInsurer, amountMismatch,
                duplicateInInsurer, malformed, result{"}}"}. A malformed line is reported with its line number and
                does not stop the check; result is match only when every service row was matched once with the same
                payout and nothing else was found. Rows may instead be keyed by the national setlId or by hospitalCode +
                settlementId (a hospital's own upload may leave hospitalCode out): each is then a stay's net payout in the
                period (its settlement, reversal and adjustments together), and differences name that key; the CSV header or
                the first NDJSON object decides (adjudicationId first, then setlId, then settlementId). A hospital key checks
                its own settlements, regionCode optional. The answer starts once the whole upload has been read. A period of
                more than {DetailCheck.MaxServiceRows} adjudications is refused (422 period_too_large): check it in parts.
                """)
            // The body is read off the pipe, not bound: describe it here. (Accepts<T>() would also make routing answer other
            // content types with a bare 415 of its own, without the problem body every error has.)
            .AddOpenApiOperationTransformer(async (operation, context, ct) =>
            {
                var row = await context.GetOrCreateSchemaAsync(typeof(DetailCheckRow), null, ct);
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The insurer's rows: CSV with a header line, or NDJSON, in UTF-8; any size.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["text/csv"] = new() { Schema = row },
                        ["application/x-ndjson"] = new() { Schema = row },
                    },
                };
            })
            .WithMetadata(new NoRequestSizeLimit())
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    public static async Task<Results<Ok<SummaryResponse>, ValidationProblem, ProblemHttpResult>> Summary(
        string? regionCode, IsoDate? from, IsoDate? to, ReconciliationStore store, ReconciliationRecorder recorder, AuditSealStore seals,
        HttpContext http, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        if (Period(regionCode, from?.Value, to?.Value, RegionRequired(caller)) is { } invalid) return invalid;
        if (ScopeOf(caller, regionCode) is not { } scope) return OutOfScope(regionCode!);
        var rows = await store.SummaryAsync(scope, from!.Value.Value, to!.Value.Value, ct);
        var seal = await seals.LatestAsync(ct);
        regionCode ??= "";
        var all = KindTotals.Of(rows);
        await recorder.RecordAsync(caller, ReconciliationRecorder.Summary, regionCode!, from.Value.Value, to.Value.Value, ReconciliationRecorder.Served,
            new { net = all.Net }, ct);
        return TypedResults.Ok(new SummaryResponse(regionCode!, from.Value.Value, to.Value.Value, all.Settlements, all.Reversals, all.Adjustments, all.Net,
            rows.GroupBy(r => r.Category).OrderBy(g => g.Key).Select(g => new CategoryTotals(g.Key, KindTotals.Of(g.ToList()))).ToList(),
            rows.GroupBy(r => r.BusinessDate).OrderBy(g => g.Key).Select(g => new DayTotals(g.Key, KindTotals.Of(g.ToList()))).ToList(),
            Audit.AuditSealRef.Of(seal)));
    }

    public static async Task<Results<Ok<SummaryCheckResponse>, ValidationProblem, ProblemHttpResult>> SummaryCheck(
        SummaryCheckRequest request, ReconciliationStore store, ReconciliationRecorder recorder, HttpContext http, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var e = PeriodErrors(request.RegionCode, request.From, request.To, RegionRequired(caller));
        var count = e.Required("count", request.Count);
        if (count < 0) e.Add("count", "Must not be negative.");
        var payout = e.Required("payout", request.Payout);
        if (request.Payout is not null && (!Money.HasAtMostTwoDecimals(payout) || Math.Abs(payout) > MaxTotal))
            e.Add("payout", $"At most two decimals, and at most {MaxTotal:0} in absolute value.");
        if (e.Any) return Problems.Validation(e.ToDictionary());

        var (from, to, includeReversed) = (request.From!.Value, request.To!.Value, request.IncludeReversed ?? true);
        if (ScopeOf(caller, request.RegionCode) is not { } scope) return OutOfScope(request.RegionCode!);
        var region = request.RegionCode ?? "";
        var ours = await store.TotalsAsync(scope, from, to, includeReversed, ct);
        var service = new CheckFigures(ours.Count, Money.FromFen(ours.PayoutFen));
        var insurer = new CheckFigures(count, payout);
        var result = service == insurer ? ReconciliationRecorder.Match : ReconciliationRecorder.Mismatch;
        var response = new SummaryCheckResponse(result, region, from, to, includeReversed, service, insurer,
            new CheckFigures(insurer.Count - service.Count, insurer.Payout - service.Payout));
        await recorder.RecordAsync(caller, ReconciliationRecorder.SummaryCheck, region, from, to, result,
            new { includeReversed, service, insurer }, ct);
        return TypedResults.Ok(response);
    }

    public static async Task<Results<StatementResult, ValidationProblem, ProblemHttpResult>> Statement(
        string? regionCode, IsoDate? from, IsoDate? to, string? format, ReconciliationStore store, HttpContext http, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var e = PeriodErrors(regionCode, from?.Value, to?.Value, RegionRequired(caller));
        var statementFormat = format?.ToLowerInvariant() switch
        {
            null or "csv" => StatementFormat.Csv,
            "ndjson" => StatementFormat.Ndjson,
            _ => (StatementFormat?)null,
        };
        if (statementFormat is null) e.Add("format", "csv or ndjson.");
        if (e.Any) return Problems.Validation(e.ToDictionary());
        if (ScopeOf(caller, regionCode) is not { } scope) return OutOfScope(regionCode!);
        // Opened here, so an unreachable database is still a 503 problem rather than a broken download.
        var (start, end) = (from!.Value.Value, to!.Value.Value);
        var reader = await store.OpenStatementAsync(scope, start, end, ct);
        http.Response.RegisterForDisposeAsync(reader);
        return new StatementResult(reader, statementFormat!.Value, caller, regionCode ?? caller.HospitalCode ?? "", start, end);
    }

    public static async Task<Results<DetailCheckResult, ValidationProblem, ProblemHttpResult>> DetailCheckAsync(
        string? regionCode, IsoDate? from, IsoDate? to, ReconciliationStore store, HttpContext http, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        if (Period(regionCode, from?.Value, to?.Value, RegionRequired(caller)) is { } invalid) return invalid;
        if (ScopeOf(caller, regionCode) is not { } scope) return OutOfScope(regionCode!);
        if (UploadFormatOf(http.Request.ContentType) is not { } format)
            return Problems.UnsupportedMediaType();

        var (start, end) = (from!.Value.Value, to!.Value.Value);
        var count = await store.CountAsync(scope, start, end, ct);
        if (count > DetailCheck.MaxServiceRows)
            return Problems.Of(422, ProblemCodes.PeriodTooLarge, count, DetailCheck.MaxServiceRows);
        var key = await UploadReader.PeekKeyAsync(http.Request.BodyReader, format, ct);
        var check = await DetailCheck.LoadAsync(store, scope, start, end, count, ct, key);
        http.Response.RegisterForDisposeAsync(check);
        var upload = new UploadReader(format, check, key, scope.HospitalCode);
        if (!await upload.ReadAsync(http.Request.BodyReader, ct)) return Problems.Validation("body", upload.Error!);
        return new DetailCheckResult(check, caller, regionCode ?? "", start, end, format);
    }

    private static UploadFormat? UploadFormatOf(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)) return null;
        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !media.Charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase)) return null;
        if (media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)) return UploadFormat.Csv;
        if (media.MediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Equals("application/ndjson", StringComparison.OrdinalIgnoreCase)) return UploadFormat.Ndjson;
        return null;
    }

    /// <summary>Checks a region and an inclusive period of business days.</summary>
    public static ValidationProblem? Period(string? regionCode, DateOnly? from, DateOnly? to, bool regionRequired = true)
    {
        var e = PeriodErrors(regionCode, from, to, regionRequired);
        return e.Any ? Problems.Validation(e.ToDictionary()) : null;
    }

    private static FieldErrors PeriodErrors(string? regionCode, DateOnly? from, DateOnly? to, bool regionRequired)
    {
        var e = new FieldErrors();
        if (regionRequired || regionCode is not null) e.RegionCode("regionCode", regionCode);
        e.Required("from", from);
        e.Required("to", to);
        if (from is { } f && to is { } t && (t < f || t.DayNumber - f.DayNumber >= MaxPeriodDays))
            e.Add("to", $"On or after 'from', and at most {MaxPeriodDays} days after it.");
        return e;
    }

    // A hospital reconciles its own settlements (the platform's 3201/3202 for the 大病 share): a region is optional for it.
    private static bool RegionRequired(Caller caller) => caller.Role != Roles.Hospital;

    /// <summary>Insurers and ops: the region, when their key covers it. Hospitals: their own settlements (of the region, if given).</summary>
    private static ReconciliationScope? ScopeOf(Caller caller, string? regionCode) => caller.Role == Roles.Hospital
        ? caller.HospitalCode is { } hospital ? ReconciliationScope.Hospital(hospital, regionCode) : null
        : caller.Covers(regionCode!) ? ReconciliationScope.Region(regionCode!) : null;

    public static ProblemHttpResult OutOfScope(string regionCode) =>
        Problems.Of(403, ProblemCodes.RegionOutOfScope, regionCode);

    /// <summary>Lifts the 1 MiB body limit for one endpoint (Kestrel's, applied by routing, and ServiceSetup's early check).</summary>
    private sealed class NoRequestSizeLimit : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => null;
    }
}

using System.Globalization;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Reconciliation;
using ClaimsService.Data.Audit;
using ClaimsService.Data.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Audit;

/// <summary>
/// The audit log for auditors (api.md "Audit"): every adjudication, preview and business rejection, region-scoped like an
/// insurer's reconciliation (a province code covers its prefectures), and the seals of its hash chain.
/// </summary>
public static class AuditApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization().WithStandardProblems();
        group.MapGet("/entries", Entries).WithName("ListAuditEntries").RequireAuthorization(p => p.RequireRole(Roles.Auditor, Roles.Admin))
            .WithSummary("Audit entries of a region, oldest first, cursor-paged on the sequence (auditor of the region; admin).")
            .WithDescription($"""
                regionCode is required for an auditor key and must be among its regions (a province code covers its prefectures); a
                province code selects the entries of the whole province. from/to are optional business dates (yyyy-MM-dd, UTC+8) of
                recordedAt; settlementId, hospitalCode, kind (settlement, preview, reversal, adjustment) and outcome (accepted,
                rejected) filter further. limit is 1..{MaxLimit} (default {DefaultLimit}); pass nextCursor back as cursor for the next
                page, with the same filters.
                """);
        group.MapGet("/seals", Seals).WithName("ListAuditSeals").RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Auditor, Roles.Insurer))
            .WithSummary("Seals of the audit chain taken on business days from..to (UTC+8), oldest first. A digest reveals nothing of the entries.");
        group.MapGet("/verification", Verification).WithName("VerifyAuditLog").RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Recompute the chain and every seal (taken on business days from..to when given); name each entry changed, removed or inserted in a sealed prefix.");
        return app;
    }

    public static async Task<Results<Ok<AuditEntriesResponse>, ValidationProblem, ProblemHttpResult>> Entries(
        string? regionCode, string? from, string? to, string? settlementId, string? hospitalCode, string? kind, string? outcome, string? cursor,
        string? limit, AuditEntryStore store, HttpContext http, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var e = new FieldErrors();
        if (regionCode is not null || caller.Role != Roles.Admin) e.RegionCode("regionCode", regionCode);
        var (fromDay, toDay) = (Date(e, "from", from), Date(e, "to", to));
        if (fromDay is { } f && toDay is { } t && t < f) e.Add("to", "On or after 'from'.");
        if (kind is not null && kind is not (Kinds.Settlement or Kinds.Preview or Kinds.Reversal or Kinds.Adjustment))
            e.Add("kind", "settlement, preview, reversal or adjustment.");
        if (outcome is not null && outcome is not ("accepted" or "rejected" or "replayed")) e.Add("outcome", "accepted, rejected or replayed.");
        if (settlementId is not null && !Identifiers.IsSettlementId(settlementId)) e.Add("settlementId", "A settlement id (1-64 letters, digits, '-', '_', '.').");
        if (hospitalCode is not null && !Identifiers.IsHospitalCode(hospitalCode)) e.Add("hospitalCode", "A hospital code (1-30 ASCII letters and digits).");
        long after = 0;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
            e.Add("cursor", "A nextCursor from an earlier page.");
        var pageSize = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxLimit))
            e.Add("limit", $"1 to {MaxLimit}.");
        if (e.Any) return Problems.Validation(e.ToDictionary());
        if (regionCode is not null && !caller.Covers(regionCode)) return ReconciliationApi.OutOfScope(regionCode);

        var (regionFrom, regionTo) = regionCode switch
        {
            null => ("000000", "999999"),
            _ when regionCode.EndsWith("0000", StringComparison.Ordinal) => (regionCode[..2] + "0000", regionCode[..2] + "9999"),
            _ => (regionCode, regionCode),
        };
        var rows = await store.PageAsync(new AuditQuery(regionCode is null ? 1 : 0, regionFrom, regionTo,
            BusinessDay.StartUtc(fromDay ?? new DateOnly(1900, 1, 1)), BusinessDay.StartUtc((toDay ?? new DateOnly(9998, 12, 31)).AddDays(1)),
            settlementId, hospitalCode, kind, outcome, after, pageSize + 1), ct);
        var page = rows.Take(pageSize).Select(AuditEntryResponse.Of).ToList();
        var next = rows.Count > pageSize ? page[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AuditEntriesResponse(page, next));
    }

    public static async Task<Results<Ok<List<AuditSealResponse>>, ValidationProblem>> Seals(string? from, string? to, AuditSealStore store, CancellationToken ct)
    {
        var e = new FieldErrors();
        var (fromDay, toDay) = (Date(e, "from", from, required: true), Date(e, "to", to, required: true));
        if (fromDay is { } f && toDay is { } t && (t < f || t.DayNumber - f.DayNumber >= ReconciliationApi.MaxPeriodDays))
            e.Add("to", $"On or after 'from', and at most {ReconciliationApi.MaxPeriodDays} days after it.");
        if (e.Any) return Problems.Validation(e.ToDictionary());
        var seals = await store.BetweenAsync(BusinessDay.StartUtc(fromDay!.Value), BusinessDay.StartUtc(toDay!.Value.AddDays(1)), ct);
        return TypedResults.Ok(seals.Select(AuditSealResponse.Of).ToList());
    }

    public static async Task<Results<Ok<AuditVerification>, ValidationProblem>> Verification(string? from, string? to, AuditVerifier verifier, CancellationToken ct)
    {
        var e = new FieldErrors();
        var (fromDay, toDay) = (Date(e, "from", from), Date(e, "to", to));
        if (e.Any) return Problems.Validation(e.ToDictionary());
        return TypedResults.Ok(await verifier.VerifyAsync(fromDay, toDay, ct));
    }

    /// <summary>A business date, yyyy-MM-dd and nothing else.</summary>
    internal static DateOnly? Date(FieldErrors e, string field, string? value, bool required = false)
    {
        if (value is null)
        {
            if (required) e.Add(field, "Required.");
            return null;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        e.Add(field, "A date, yyyy-MM-dd.");
        return null;
    }
}

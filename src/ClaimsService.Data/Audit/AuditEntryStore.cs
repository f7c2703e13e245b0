using ClaimsService.Data.Stores;
using Dapper;

namespace ClaimsService.Data.Audit;

/// <summary>An audit entry as it is read back: every stored column, and the insured of the adjudication it records.</summary>
public sealed class AuditEntryRow : AuditRow
{
    /// <summary>From the adjudication row (settlements, reversals, adjustments); null for previews and rejections.</summary>
    public string? AdjudicationInsuredId { get; set; }

    /// <summary>Every column of audit_log, in the order the chain hashes them (see <see cref="AuditDigest"/>).</summary>
    internal const string Columns = """
        l.id, l.adjudication_id, l.kind, l.outcome, l.code, l.caller, l.hospital_code, l.settlement_id, l.region_code,
        l.parameter_set_id, l.parameter_set_version, l.category, l.inputs, l.trace, l.outputs, l.trace_id, l.recorded_at
        """;
}

/// <summary>
/// What an audit read asks for: optional filters; the region as an inclusive range of codes (a province covers its prefectures),
/// or every entry, including any without a region, when <see cref="AllRegions"/> is 1 (an admin asking for no region).
/// </summary>
public sealed record AuditQuery(int AllRegions, string RegionFrom, string RegionTo, DateTime FromUtc, DateTime ToUtc, string? SettlementId, string? HospitalCode,
    string? Kind, string? Outcome, long After, int Limit);

/// <summary>Reads of the audit log in the order of its sequence (audit_log.id), for auditors.</summary>
public sealed class AuditEntryStore(Db db)
{
    private const string PageSql = $"""
        SELECT {AuditEntryRow.Columns}, a.insured_id AS adjudication_insured_id
        FROM audit_log l LEFT JOIN adjudications a ON a.id = l.adjudication_id
        WHERE l.id > @After AND (@AllRegions = 1 OR (l.region_code >= @RegionFrom AND l.region_code <= @RegionTo))
          AND l.recorded_at >= @FromUtc AND l.recorded_at < @ToUtc
          AND (@SettlementId IS NULL OR l.settlement_id = @SettlementId)
          AND (@HospitalCode IS NULL OR l.hospital_code = @HospitalCode)
          AND (@Kind IS NULL OR l.kind = @Kind)
          AND (@Outcome IS NULL OR l.outcome = @Outcome)
        ORDER BY l.id
        """;

    /// <summary>
    /// The first <see cref="AuditQuery.Limit"/> entries after <see cref="AuditQuery.After"/> (keyset paging on the sequence).
    /// A page read while adjudications commit can miss an entry whose sequence was handed out earlier but committed later (see
    /// AuditSealer); the sealed prefix is final, so a reader who stops at the latest seal's sequence reads each entry once.
    /// </summary>
    public Task<IReadOnlyList<AuditEntryRow>> PageAsync(AuditQuery query, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var rows = (await c.QueryAsync<AuditEntryRow>(new CommandDefinition(db.Dialect.FirstRows(PageSql), query, cancellationToken: t))).AsList();
            rows.ForEach(r => r.RecordedAt = DateTime.SpecifyKind(r.RecordedAt, DateTimeKind.Utc));
            return (IReadOnlyList<AuditEntryRow>)rows;
        }, ct);
}

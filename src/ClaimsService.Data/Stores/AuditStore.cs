using System.Data.Common;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>The append-only audit log: inputs, parameter set, category, trace and outputs of every adjudication.</summary>
public sealed class AuditStore(Db db)
{
    private const string InsertSql = """
        INSERT INTO audit_log (adjudication_id, kind, outcome, code, caller, hospital_code, settlement_id, region_code,
            parameter_set_id, parameter_set_version, category, inputs, trace, outputs, trace_id, recorded_at)
        VALUES (@AdjudicationId, @Kind, @Outcome, @Code, @Caller, @HospitalCode, @SettlementId, @RegionCode,
            @ParameterSetId, @ParameterSetVersion, @Category, @Inputs, @Trace, @Outputs, @TraceId, @RecordedAt)
        """;

    /// <summary>Writes an entry inside the caller's transaction, with the effect it records.</summary>
    public static Task AppendAsync(DbConnection connection, DbTransaction transaction, AuditRow row, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(InsertSql, row, transaction, cancellationToken: ct));

    /// <summary>Writes an entry that has no other effect (previews, business rejections): one insert, which commits itself.</summary>
    public Task AppendAsync(AuditRow row, CancellationToken ct) =>
        // An audit entry written twice by a retry would be a false record: run once.
        db.OnConnectionAsync((c, t) => c.ExecuteAsync(new CommandDefinition(InsertSql, row, cancellationToken: t)), ct, retry: false);

    private const int Columns = 16;
    private const string InsertManyHead = """
        INSERT INTO audit_log (adjudication_id, kind, outcome, code, caller, hospital_code, settlement_id, region_code,
            parameter_set_id, parameter_set_version, category, inputs, trace, outputs, trace_id, recorded_at)
        VALUES
        """;

    // One statement text per row count (parameter names only, never values), so each shape is parsed and cached once.
    private static readonly string?[] InsertManySql = new string?[1001];

    private static string InsertMany(int count) => InsertManySql[count] ??= InsertManyHead + "\n" + string.Join(",\n",
        Enumerable.Range(0, count).Select(i => "(" + string.Join(", ", Enumerable.Range(0, Columns).Select(c => $"@p{i * Columns + c}")) + ")"));

    /// <summary>
    /// Writes entries that have no other effect in one multi-row insert and one transaction (the commit pipeline's audit
    /// batch). Run once, like <see cref="AppendAsync(AuditRow, CancellationToken)"/>: a retry could write an entry twice.
    /// </summary>
    public Task AppendManyAsync(IReadOnlyList<AuditRow> rows, CancellationToken ct) => rows.Count == 1 ? AppendAsync(rows[0], ct)
        : db.Dialect.Provider == DatabaseProvider.PostgreSql
        // One statement of arrays (one text whatever the count, prepared once), committing by itself: one round trip.
        ? db.OnConnectionAsync(async (c, t) =>
        {
            await using var batch = new Npgsql.NpgsqlBatch((Npgsql.NpgsqlConnection)c);
            batch.BatchCommands.Add(Dialects.PostgreSqlDialect.ArrayInsertCommand(StoredTables.AuditLog, rows));
            return await batch.ExecuteNonQueryAsync(t);
        }, ct, retry: false)
        : db.InTransactionAsync(async (c, tx, t) =>
        {
            var parameters = new DynamicParameters();
            for (var i = 0; i < rows.Count; i++)
            {
                var r = rows[i];
                object?[] values = [r.AdjudicationId, r.Kind, r.Outcome, r.Code, r.Caller, r.HospitalCode, r.SettlementId, r.RegionCode,
                    r.ParameterSetId, r.ParameterSetVersion, r.Category, r.Inputs, r.Trace, r.Outputs, r.TraceId, r.RecordedAt];
                for (var col = 0; col < Columns; col++) parameters.Add($"p{i * Columns + col}", values[col]);
            }
            await c.ExecuteAsync(new CommandDefinition(InsertMany(rows.Count), parameters, tx, cancellationToken: t));
            return true;
        }, ct, retry: false);

    private const string ForSettlementSql = """
        SELECT * FROM audit_log WHERE hospital_code = @HospitalCode AND settlement_id = @SettlementId ORDER BY id
        """;

    public Task<IReadOnlyList<AuditRow>> ForSettlementAsync(string hospitalCode, string settlementId, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<AuditRow>)(await c.QueryAsync<AuditRow>(
            new CommandDefinition(ForSettlementSql, new { HospitalCode = hospitalCode, SettlementId = settlementId }, cancellationToken: t))).AsList(), ct);
}

using ClaimsService.Data.Dialects;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>A snapshot import: the full list of a region's members of one category on a date (api.md "Registry").</summary>
public sealed record RegistrySnapshot(string RegionCode, string Category, DateOnly AsOf);

/// <summary>What an import did (or, in a dry run, would do).</summary>
public sealed record RegistryImportOutcome(long Recorded, long Ended, long Unchanged);

public sealed partial class RegistryStore
{
    // The file's lines are streamed into a staging table (dialect: COPY, SqlBulkCopy, a prepared command), then applied by
    // set-based statements. A line equal to an active entry, or to an earlier line of the file, is unchanged.
    private readonly string _importInsertSql = $"""
        INSERT INTO person_categories (insured_id, region_code, category, valid_from, valid_to, source, recorded_at, recorded_by, status)
        SELECT s.insured_id, s.region_code, s.category, s.valid_from, s.valid_to, s.source, @Now, @By, 'active'
        FROM {db.Dialect.RegistryStagingTable} s
        WHERE NOT EXISTS (SELECT 1 FROM {db.Dialect.RegistryStagingTable} d
                          WHERE d.insured_id = s.insured_id AND d.line < s.line AND d.region_code = s.region_code
                            AND d.category = s.category AND d.valid_from = s.valid_from
                            AND (d.valid_to = s.valid_to OR (d.valid_to IS NULL AND s.valid_to IS NULL)))
          AND NOT EXISTS (SELECT 1 FROM person_categories p
                          WHERE p.insured_id = s.insured_id AND p.region_code = s.region_code AND p.category = s.category
                            AND p.valid_from = s.valid_from AND p.status = 'active'
                            AND (p.valid_to = s.valid_to OR (p.valid_to IS NULL AND s.valid_to IS NULL)))
        """;

    // Snapshot: active entries of the region and category in force on @AsOf whose person is absent from the list end the
    // day before; their change is written first, while the old valid_to is still there. Entries that start on or after
    // @AsOf are left alone (a snapshot says nothing about later days).
    private const string AbsentMembersWhere = """
        region_code = @RegionCode AND category = @Category AND status = 'active' AND valid_from < @AsOf
          AND (valid_to IS NULL OR valid_to >= @AsOf)
        """;
    private readonly string _snapshotEndChangesSql = $"""
        INSERT INTO person_category_changes (entry_id, action, valid_to_before, valid_to_after, reason, changed_at, changed_by)
        SELECT p.id, 'ended', p.valid_to, @DayBefore, @Reason, @Now, @By FROM person_categories p
        WHERE p.{AbsentMembersWhere}
          AND NOT EXISTS (SELECT 1 FROM {db.Dialect.RegistryStagingTable} s WHERE s.insured_id = p.insured_id)
        """;
    private readonly string _snapshotEndSql = $"""
        UPDATE person_categories SET valid_to = @DayBefore
        WHERE {AbsentMembersWhere}
          AND NOT EXISTS (SELECT 1 FROM {db.Dialect.RegistryStagingTable} s WHERE s.insured_id = person_categories.insured_id)
        """;
    // Snapshot: people new in the list get an entry from @AsOf; members already active on @AsOf are unchanged.
    private readonly string _snapshotInsertSql = $"""
        INSERT INTO person_categories (insured_id, region_code, category, valid_from, valid_to, source, recorded_at, recorded_by, status)
        SELECT s.insured_id, s.region_code, s.category, s.valid_from, s.valid_to, s.source, @Now, @By, 'active'
        FROM {db.Dialect.RegistryStagingTable} s
        WHERE NOT EXISTS (SELECT 1 FROM {db.Dialect.RegistryStagingTable} d WHERE d.insured_id = s.insured_id AND d.line < s.line)
          AND NOT EXISTS (SELECT 1 FROM person_categories p
                          WHERE p.insured_id = s.insured_id AND p.region_code = @RegionCode AND p.category = @Category
                            AND p.status = 'active' AND p.valid_from <= @AsOf AND (p.valid_to IS NULL OR p.valid_to >= @AsOf))
        """;

    /// <summary>
    /// Imports a file's valid lines in one transaction. <paramref name="commit"/> is asked once every line was read (an
    /// all-or-nothing import with invalid lines, or a dry run, answers false): nothing is written then, and the outcome
    /// says what the import would have done. The unit runs once (never retried) and outside the per-call timeout, since
    /// its length depends on the file.
    /// </summary>
    public async Task<RegistryImportOutcome> ImportAsync(IEnumerable<StagedRegistryEntry> lines, RegistrySnapshot? snapshot, string by, DateTime now,
        Func<bool> commit, CancellationToken ct)
    {
        var dialect = db.Dialect;
        await using var c = await db.OpenForStreamingAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        CommandDefinition Command(string sql, object? args = null) => new(sql, args, tx, commandTimeout: 0, cancellationToken: ct);

        // The whole registry, until the import commits: what it finds missing stays missing until it writes it.
        if (dialect.LockWholeRegistrySql is { } lockAll) await c.ExecuteAsync(Command(lockAll));
        await c.ExecuteAsync(Command(dialect.CreateRegistryStagingSql));
        var loaded = await dialect.LoadRegistryStagingAsync(c, tx, lines, ct);
        await c.ExecuteAsync(Command(dialect.IndexRegistryStagingSql));
        long recorded, ended = 0;
        if (snapshot is null)
            recorded = await c.ExecuteAsync(Command(_importInsertSql, new { Now = now, By = by }));
        else
        {
            var args = new
            {
                snapshot.RegionCode, snapshot.Category, snapshot.AsOf, DayBefore = snapshot.AsOf.AddDays(-1), Now = now, By = by,
                Reason = $"absent from the snapshot of {snapshot.AsOf:yyyy-MM-dd}",
            };
            await c.ExecuteAsync(Command(_snapshotEndChangesSql, args));
            ended = await c.ExecuteAsync(Command(_snapshotEndSql, args));
            recorded = await c.ExecuteAsync(Command(_snapshotInsertSql, args));
        }
        await c.ExecuteAsync(Command(dialect.DropRegistryStagingSql));
        if (commit()) await tx.CommitAsync(ct);
        else await tx.RollbackAsync(ct);
        return new RegistryImportOutcome(recorded, ended, loaded - recorded);
    }
}

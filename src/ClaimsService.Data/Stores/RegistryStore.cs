using System.Data.Common;
using ClaimsService.Data.Dialects;
using ClaimsService.Domain;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>A registry entry to record.</summary>
public sealed record RegistryEntry(string InsuredId, string RegionCode, PersonCategory Category, DateOnly ValidFrom, DateOnly? ValidTo, string? Source);

/// <summary>What a batch did: entries recorded, entries equal to an active one, settled person-years inside the changed dates.</summary>
public sealed record RegistryBatchOutcome(int Recorded, int Unchanged, int AffectedPersonYears);

/// <summary>An entry as stored, with its changes after it was recorded (oldest first).</summary>
public sealed record StoredRegistryEntry(
    long Id, string InsuredId, string RegionCode, string Category, DateOnly ValidFrom, DateOnly? ValidTo, string? Source,
    string Status, DateTime RecordedAt, string RecordedBy, IReadOnlyList<RegistryChange> Changes);

/// <summary>One change to an entry: <c>ended</c> (valid_to moved) or <c>retracted</c>.</summary>
public sealed record RegistryChange(string Action, DateOnly? ValidToBefore, DateOnly? ValidToAfter, string? Reason, DateTime ChangedAt, string ChangedBy);

/// <summary>The outcome of ending or retracting an entry.</summary>
public abstract record RegistryChangeOutcome
{
    public sealed record Changed(StoredRegistryEntry Entry, int AffectedPersonYears) : RegistryChangeOutcome;
    public sealed record NotFound : RegistryChangeOutcome;
    /// <summary>A retracted entry never applied: it cannot end.</summary>
    public sealed record Retracted(StoredRegistryEntry Entry) : RegistryChangeOutcome;
    public sealed record BeforeValidFrom(StoredRegistryEntry Entry) : RegistryChangeOutcome;
}

/// <summary>
/// The registry of person categories (建档立卡, 监测户, …), with effective dates and a lifecycle (rules.md "Changes after the
/// fact"): entries are never deleted; they end (valid_to moves) or are retracted (never applied from then on), and each
/// change is kept with who, when and why.
/// </summary>
public sealed partial class RegistryStore(Db db)
{
    public const string Active = "active";
    public const string Retracted = "retracted";
    public const string EndedAction = "ended";
    public const string RetractedAction = "retracted";

    private const string InsertSql = """
        INSERT INTO person_categories (insured_id, region_code, category, valid_from, valid_to, source, recorded_at, recorded_by, status)
        VALUES (@InsuredId, @RegionCode, @Category, @ValidFrom, @ValidTo, @Source, @RecordedAt, @RecordedBy, 'active')
        """;

    // An entry equal to an active one (api.md "Registry"): two statements, so no parameter is ever compared with NULL.
    private const string SameOpenSql = """
        SELECT COUNT(*) FROM person_categories
        WHERE insured_id = @InsuredId AND region_code = @RegionCode AND category = @Category AND valid_from = @ValidFrom
          AND valid_to IS NULL AND status = 'active'
        """;
    private const string SameClosedSql = """
        SELECT COUNT(*) FROM person_categories
        WHERE insured_id = @InsuredId AND region_code = @RegionCode AND category = @Category AND valid_from = @ValidFrom
          AND valid_to = @ValidTo AND status = 'active'
        """;

    /// <summary>
    /// Records a batch in one transaction: all entries or none. An entry equal to an active one (also one earlier in the
    /// batch) is unchanged, never recorded twice, so a batch sent again records nothing.
    /// </summary>
    public Task<RegistryBatchOutcome> AddAsync(IReadOnlyList<RegistryEntry> entries, string recordedBy, DateTime now, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx, t) =>
        {
            await LockAsync(c, tx, entries.Select(e => e.InsuredId), t);
            int recorded = 0, unchanged = 0;
            var affected = new HashSet<PersonYearKey>();
            foreach (var e in entries)
            {
                var row = new
                {
                    e.InsuredId, e.RegionCode, Category = e.Category.ToCode(), e.ValidFrom, e.ValidTo, e.Source,
                    RecordedAt = now, RecordedBy = recordedBy,
                };
                var same = await c.ExecuteScalarAsync<long>(new CommandDefinition(e.ValidTo is null ? SameOpenSql : SameClosedSql, row, tx, cancellationToken: t));
                if (same > 0)
                {
                    unchanged++;
                    continue;
                }
                await c.ExecuteAsync(new CommandDefinition(InsertSql, row, tx, cancellationToken: t));
                recorded++;
                affected.UnionWith(await SettledInsideAsync(c, tx, e.InsuredId, e.RegionCode, e.ValidFrom, e.ValidTo, t));
            }
            return new RegistryBatchOutcome(recorded, unchanged, affected.Count);
        }, ct, retry: false);

    private const string EntryColumns = """
        id AS Id, insured_id AS InsuredId, region_code AS RegionCode, category AS Category, valid_from AS ValidFrom,
        valid_to AS ValidTo, source AS Source, status AS Status, recorded_at AS RecordedAt, recorded_by AS RecordedBy
        """;
    private const string ForInsuredSql = $"SELECT {EntryColumns} FROM person_categories WHERE insured_id = @InsuredId ORDER BY id";
    private const string ForInsuredInRegionSql = $"SELECT {EntryColumns} FROM person_categories WHERE insured_id = @InsuredId AND region_code = @RegionCode ORDER BY id";
    private const string ChangesOfInsuredSql = """
        SELECT h.entry_id AS EntryId, h.action AS Action, h.valid_to_before AS ValidToBefore, h.valid_to_after AS ValidToAfter,
               h.reason AS Reason, h.changed_at AS ChangedAt, h.changed_by AS ChangedBy
        FROM person_category_changes h JOIN person_categories e ON e.id = h.entry_id
        WHERE e.insured_id = @InsuredId
        ORDER BY h.id
        """;

    /// <summary>A person's entries (in one region when given; retracted ones too), in the order recorded, with their history.</summary>
    public Task<IReadOnlyList<StoredRegistryEntry>> ForInsuredAsync(string insuredId, string? regionCode, CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var args = new { InsuredId = insuredId, RegionCode = regionCode };
            var rows = (await c.QueryAsync<EntryRow>(new CommandDefinition(regionCode is null ? ForInsuredSql : ForInsuredInRegionSql, args, cancellationToken: t))).AsList();
            if (rows.Count == 0) return (IReadOnlyList<StoredRegistryEntry>)[];
            var changes = (await c.QueryAsync<ChangeRow>(new CommandDefinition(ChangesOfInsuredSql, args, cancellationToken: t))).ToLookup(h => h.EntryId);
            return rows.Select(r => r.ToStored(changes[r.Id])).ToList();
        }, ct);

    private const string ByIdSql = $"SELECT {EntryColumns} FROM person_categories WHERE id = @Id";
    private const string ChangesOfEntrySql = """
        SELECT entry_id AS EntryId, action AS Action, valid_to_before AS ValidToBefore, valid_to_after AS ValidToAfter,
               reason AS Reason, changed_at AS ChangedAt, changed_by AS ChangedBy
        FROM person_category_changes WHERE entry_id = @Id ORDER BY id
        """;
    private const string EndSql = "UPDATE person_categories SET valid_to = @ValidTo WHERE id = @Id";
    private const string RetractSql = "UPDATE person_categories SET status = 'retracted' WHERE id = @Id";
    private const string InsertChangeSql = """
        INSERT INTO person_category_changes (entry_id, action, valid_to_before, valid_to_after, reason, changed_at, changed_by)
        VALUES (@Id, @Action, @ValidToBefore, @ValidToAfter, @Reason, @ChangedAt, @ChangedBy)
        """;

    /// <summary>Takes the people's registry locks (<see cref="SqlDialect.LockRegistrySql"/>) until the transaction ends.</summary>
    private Task LockAsync(DbConnection c, DbTransaction tx, IEnumerable<string> people, CancellationToken t) =>
        db.Dialect.LockRegistrySql is { } sql
            ? c.ExecuteAsync(new CommandDefinition(sql, db.Dialect.LockRegistryArgs(people), tx, cancellationToken: t))
            : Task.CompletedTask;

    /// <summary>The entry, read again under its person's registry lock: what a concurrent end or retraction left.</summary>
    private async Task<StoredRegistryEntry?> LockedByIdAsync(DbConnection c, DbTransaction tx, long id, CancellationToken t)
    {
        if (await ByIdAsync(c, tx, id, t) is not { } entry) return null;
        if (db.Dialect.LockRegistrySql is null) return entry;
        await LockAsync(c, tx, [entry.InsuredId], t);
        return await ByIdAsync(c, tx, id, t);
    }

    /// <summary>
    /// Ends an active entry on <paramref name="validTo"/> (inclusive). The dates between the old and the new last day are
    /// the changed dates. Ending it again on the same day changes nothing (and affects nothing).
    /// </summary>
    public Task<RegistryChangeOutcome> EndAsync(long id, DateOnly validTo, string? reason, string by, DateTime now, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx, t) =>
        {
            if (await LockedByIdAsync(c, tx, id, t) is not { } entry) return (RegistryChangeOutcome)new RegistryChangeOutcome.NotFound();
            if (entry.Status == Retracted) return new RegistryChangeOutcome.Retracted(entry);
            if (validTo < entry.ValidFrom) return new RegistryChangeOutcome.BeforeValidFrom(entry);
            if (entry.ValidTo == validTo) return new RegistryChangeOutcome.Changed(entry, 0);
            await c.ExecuteAsync(new CommandDefinition(EndSql, new { Id = id, ValidTo = validTo }, tx, cancellationToken: t));
            await c.ExecuteAsync(new CommandDefinition(InsertChangeSql, new
            {
                Id = id, Action = EndedAction, ValidToBefore = entry.ValidTo, ValidToAfter = (DateOnly?)validTo, Reason = reason, ChangedAt = now, ChangedBy = by,
            }, tx, cancellationToken: t));
            // Shortened: the days after the new end; lengthened: the days after the old end.
            var old = entry.ValidTo ?? DateOnly.MaxValue;
            var (from, to) = validTo < old ? (validTo.AddDays(1), entry.ValidTo) : (old.AddDays(1), (DateOnly?)validTo);
            var affected = (await SettledInsideAsync(c, tx, entry.InsuredId, entry.RegionCode, from, to, t)).Count;
            return new RegistryChangeOutcome.Changed((await ByIdAsync(c, tx, id, t))!, affected);
        }, ct, retry: false);

    /// <summary>Retracts an entry: recorded in error, it never applied. Retracting it again changes nothing.</summary>
    public Task<RegistryChangeOutcome> RetractAsync(long id, string? reason, string by, DateTime now, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx, t) =>
        {
            if (await LockedByIdAsync(c, tx, id, t) is not { } entry) return (RegistryChangeOutcome)new RegistryChangeOutcome.NotFound();
            if (entry.Status == Retracted) return new RegistryChangeOutcome.Changed(entry, 0);
            await c.ExecuteAsync(new CommandDefinition(RetractSql, new { Id = id }, tx, cancellationToken: t));
            await c.ExecuteAsync(new CommandDefinition(InsertChangeSql, new
            {
                Id = id, Action = RetractedAction, ValidToBefore = entry.ValidTo, ValidToAfter = entry.ValidTo, Reason = reason, ChangedAt = now, ChangedBy = by,
            }, tx, cancellationToken: t));
            var affected = (await SettledInsideAsync(c, tx, entry.InsuredId, entry.RegionCode, entry.ValidFrom, entry.ValidTo, t)).Count;
            return new RegistryChangeOutcome.Changed((await ByIdAsync(c, tx, id, t))!, affected);
        }, ct, retry: false);

    private static async Task<StoredRegistryEntry?> ByIdAsync(DbConnection c, DbTransaction tx, long id, CancellationToken t)
    {
        var row = await c.QuerySingleOrDefaultAsync<EntryRow>(new CommandDefinition(ByIdSql, new { Id = id }, tx, cancellationToken: t));
        if (row is null) return null;
        var changes = await c.QueryAsync<ChangeRow>(new CommandDefinition(ChangesOfEntrySql, new { Id = id }, tx, cancellationToken: t));
        return row.ToStored(changes);
    }

    // Person-years with settled, not reversed stays discharged inside [From, To] in the entry's region, or in any prefecture
    // of it when the entry is at province level (RegionPattern 'xx%'): those change only through a re-adjudication run.
    private const string SettledInsideSql = """
        SELECT DISTINCT region_code AS RegionCode, insured_id AS InsuredId, policy_year AS PolicyYear
        FROM adjudications
        WHERE insured_id = @InsuredId AND region_code LIKE @RegionPattern AND kind = 'settlement' AND reversed_by_id IS NULL
          AND discharge_date >= @From AND discharge_date <= @To
        """;

    internal static async Task<IReadOnlyList<PersonYearKey>> SettledInsideAsync(
        DbConnection c, DbTransaction? tx, string insuredId, string regionCode, DateOnly from, DateOnly? to, CancellationToken t) =>
        (await c.QueryAsync<PersonYearRow>(new CommandDefinition(SettledInsideSql, new
        {
            InsuredId = insuredId, RegionPattern = RegionPattern(regionCode), From = from, To = to ?? DateOnly.MaxValue,
        }, tx, cancellationToken: t))).Select(r => new PersonYearKey(r.RegionCode.Trim(), r.InsuredId.Trim(), r.PolicyYear)).ToList();

    private sealed class PersonYearRow
    {
        public string RegionCode { get; set; } = "";
        public string InsuredId { get; set; } = "";
        public int PolicyYear { get; set; }
    }

    /// <summary>A LIKE pattern for the regions an entry or a set of this region covers: itself, or a province's prefectures.</summary>
    public static string RegionPattern(string regionCode) => Resolution.ProvinceOf(regionCode) == regionCode ? $"{regionCode[..2]}%" : regionCode;

    // A person's active entries in the pooling region or at its province level, in the order recorded (a tie between
    // categories names the one recorded first, api.md "Registry"). A retracted entry never applied; an ended one applies
    // up to its new valid_to. Parameters: InsuredId, RegionCode, ProvinceCode.
    internal const string ForPersonSql = """
        SELECT category AS Category, valid_from AS ValidFrom, valid_to AS ValidTo
        FROM person_categories
        WHERE insured_id = @InsuredId AND region_code IN (@RegionCode, @ProvinceCode) AND status = 'active'
        ORDER BY id
        """;

    /// <summary>Reads the result of <see cref="ForPersonSql"/> from the batch a settlement or preview sends in one round trip.</summary>
    internal static async Task<IReadOnlyList<CategoryEntry>> ReadForPersonAsync(SqlMapper.GridReader grid) =>
        (await grid.ReadAsync<CategoryRow>()).Select(r => new CategoryEntry(PersonCategories.Parse(r.Category), r.ValidFrom, r.ValidTo)).ToList();

    private sealed class CategoryRow
    {
        public string Category { get; set; } = "";
        public DateOnly ValidFrom { get; set; }
        public DateOnly? ValidTo { get; set; }
    }

    private sealed class EntryRow
    {
        public long Id { get; set; }
        public string InsuredId { get; set; } = "";
        public string RegionCode { get; set; } = "";
        public string Category { get; set; } = "";
        public DateOnly ValidFrom { get; set; }
        public DateOnly? ValidTo { get; set; }
        public string? Source { get; set; }
        public string Status { get; set; } = Active;
        public DateTime RecordedAt { get; set; }
        public string RecordedBy { get; set; } = "";

        public StoredRegistryEntry ToStored(IEnumerable<ChangeRow> changes) => new(
            Id, InsuredId.Trim(), RegionCode.Trim(), Category, ValidFrom, ValidTo, Source, Status, Utc(RecordedAt), RecordedBy,
            changes.Select(h => new RegistryChange(h.Action, h.ValidToBefore, h.ValidToAfter, h.Reason, Utc(h.ChangedAt), h.ChangedBy)).ToList());
    }

    private sealed class ChangeRow
    {
        public long EntryId { get; set; }
        public string Action { get; set; } = "";
        public DateOnly? ValidToBefore { get; set; }
        public DateOnly? ValidToAfter { get; set; }
        public string? Reason { get; set; }
        public DateTime ChangedAt { get; set; }
        public string ChangedBy { get; set; } = "";
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

using ClaimsService.Domain;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>A registry entry to record.</summary>
public sealed record RegistryEntry(string InsuredId, string RegionCode, PersonCategory Category, DateOnly ValidFrom, DateOnly? ValidTo, string? Source);

/// <summary>The registry of person categories (建档立卡, 监测户, …), with effective dates.</summary>
public sealed class RegistryStore(Db db)
{
    private const string InsertSql = """
        INSERT INTO person_categories (insured_id, region_code, category, valid_from, valid_to, source, recorded_at, recorded_by)
        VALUES (@InsuredId, @RegionCode, @Category, @ValidFrom, @ValidTo, @Source, @RecordedAt, @RecordedBy)
        """;

    /// <summary>Records a batch in one transaction: all entries or none.</summary>
    public Task<int> AddAsync(IReadOnlyList<RegistryEntry> entries, string recordedBy, DateTime now, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx, t) =>
        {
            var rows = entries.Select(e => new
            {
                e.InsuredId, e.RegionCode, Category = e.Category.ToCode(), e.ValidFrom, e.ValidTo, e.Source,
                RecordedAt = now, RecordedBy = recordedBy,
            });
            return await c.ExecuteAsync(new CommandDefinition(InsertSql, rows, tx, cancellationToken: t));
        }, ct, retry: false);

    // A person's entries in the pooling region or at its province level, in the order recorded (a tie between categories
    // names the one recorded first, api.md "Registry"). Parameters: InsuredId, RegionCode, ProvinceCode.
    internal const string ForPersonSql = """
        SELECT category AS Category, valid_from AS ValidFrom, valid_to AS ValidTo
        FROM person_categories
        WHERE insured_id = @InsuredId AND region_code IN (@RegionCode, @ProvinceCode)
        ORDER BY id
        """;

    /// <summary>Reads the result of <see cref="ForPersonSql"/> from the batch a settlement or preview sends in one round trip.</summary>
    internal static async Task<IReadOnlyList<CategoryEntry>> ReadForPersonAsync(SqlMapper.GridReader grid) =>
        (await grid.ReadAsync<EntryRow>()).Select(r => new CategoryEntry(PersonCategories.Parse(r.Category), r.ValidFrom, r.ValidTo)).ToList();

    private sealed class EntryRow
    {
        public string Category { get; set; } = "";
        public DateOnly ValidFrom { get; set; }
        public DateOnly? ValidTo { get; set; }
    }
}

using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>A catalogued person category: its code, its name (e.g. 返贫致贫人口) and the national platform's code, when known.</summary>
public sealed record CatalogueEntry(string Code, string Name, string? NationalCode);

/// <summary>The catalogue of person categories (categories are data, api.md "Parameter sets"). Append-only.</summary>
public sealed class CategoryStore(Db db)
{
    private const string AllSql = """
        SELECT code AS Code, name AS Name, national_code AS NationalCode FROM category_catalogue ORDER BY recorded_at, code
        """;

    public Task<IReadOnlyList<CatalogueEntry>> AllAsync(CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<CatalogueEntry>)(await c.QueryAsync<CatalogueEntry>(new CommandDefinition(AllSql, cancellationToken: t))).AsList(), ct);

    /// <summary>The catalogued codes: what a set's adjustments and the registry may name.</summary>
    public async Task<IReadOnlySet<string>> CodesAsync(CancellationToken ct) =>
        (await AllAsync(ct)).Select(e => e.Code).ToHashSet(StringComparer.Ordinal);

    private const string InsertSql = """
        INSERT INTO category_catalogue (code, name, national_code, recorded_at, recorded_by)
        VALUES (@Code, @Name, @NationalCode, @RecordedAt, @RecordedBy)
        """;

    /// <summary>Adds a category; false when its code is already catalogued (the primary key decides).</summary>
    public async Task<bool> AddAsync(CatalogueEntry entry, string recordedBy, DateTime now, CancellationToken ct)
    {
        try
        {
            await db.InTransactionAsync(async (c, tx, t) => await c.ExecuteAsync(new CommandDefinition(InsertSql, new
            {
                entry.Code, entry.Name, entry.NationalCode, RecordedAt = now, RecordedBy = recordedBy,
            }, tx, cancellationToken: t)), ct, retry: false);
            return true;
        }
        catch (Exception e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }
}

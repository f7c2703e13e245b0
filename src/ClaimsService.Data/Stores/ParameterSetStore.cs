using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClaimsService.Domain;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>Parameter sets: append-only, versioned per region. The definition is kept as JSON beside its keys.</summary>
public sealed class ParameterSetStore(Db db)
{
    private const string NextVersionSql = "SELECT COALESCE(MAX(version), 0) + 1 FROM parameter_sets WHERE region_code = @RegionCode";

    private const string InsertSql = """
        INSERT INTO parameter_sets (id, region_code, version, effective_from, name, policy_document, definition, published_at, published_by)
        VALUES (@Id, @RegionCode, @Version, @EffectiveFrom, @Name, @PolicyDocument, @Definition, @PublishedAt, @PublishedBy)
        """;

    /// <summary>Stores a new version of the region's parameters; the version is the region's next number.</summary>
    public async Task<ParameterSet> PublishAsync(ParameterSet set, string publishedBy, CancellationToken ct)
    {
        // A concurrent publish for the same region takes the same number: the unique key decides, and we try again.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await db.InTransactionAsync(async (c, tx, t) =>
                {
                    var version = await c.ExecuteScalarAsync<int>(new CommandDefinition(NextVersionSql, new { set.RegionCode }, tx, cancellationToken: t));
                    var stored = set with { Version = version };
                    await c.ExecuteAsync(new CommandDefinition(InsertSql, new
                    {
                        stored.Id, stored.RegionCode, stored.Version, stored.EffectiveFrom, stored.Name, stored.PolicyDocument,
                        Definition = ParameterSetJson.Serialize(stored), stored.PublishedAt, PublishedBy = publishedBy,
                    }, tx, cancellationToken: t));
                    return stored;
                }, ct, retry: false);
            }
            catch (Exception e) when (db.Dialect.IsUniqueViolation(e) && attempt < 5)
            {
            }
        }
    }

    // Person-years with settled, not reversed stays discharged on or after @EffectiveFrom that a set of @RegionCode reaches:
    // in the region itself and, for a province's set, in each of its prefectures with no set of its own (which use the
    // province's). Kept simple: a later set of the same region that already covers part of those dates is not subtracted.
    private const string SettledFromSql = """
        SELECT COUNT(*) FROM (
            SELECT DISTINCT a.region_code, a.insured_id, a.policy_year FROM adjudications a
            WHERE a.kind = 'settlement' AND a.reversed_by_id IS NULL AND a.discharge_date >= @EffectiveFrom
              AND (a.region_code = @RegionCode
                   OR (@IsProvince = 1 AND a.region_code LIKE @RegionPattern
                       AND NOT EXISTS (SELECT 1 FROM parameter_sets p WHERE p.region_code = a.region_code)))
        ) affected
        """;

    /// <summary>How many settled person-years a set of this region in force from <paramref name="effectiveFrom"/> touches.</summary>
    public Task<int> AffectedPersonYearsAsync(string regionCode, DateOnly effectiveFrom, CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (int)await c.ExecuteScalarAsync<long>(new CommandDefinition(SettledFromSql, new
        {
            RegionCode = regionCode, EffectiveFrom = effectiveFrom, IsProvince = Resolution.ProvinceOf(regionCode) == regionCode ? 1 : 0,
            RegionPattern = RegistryStore.RegionPattern(regionCode),
        }, cancellationToken: t)), ct);

    private const string AllSql = "SELECT definition FROM parameter_sets ORDER BY region_code, version";

    public Task<IReadOnlyList<ParameterSet>> AllAsync(CancellationToken ct) =>
        db.ReadAsync(async (c, t) =>
        {
            var definitions = await c.QueryAsync<string>(new CommandDefinition(AllSql, cancellationToken: t));
            return (IReadOnlyList<ParameterSet>)definitions.Select(ParameterSetJson.Deserialize).ToList();
        }, ct);

    private const string StampSql = "SELECT COUNT(*) FROM parameter_sets";

    /// <summary>A cheap stamp that changes whenever a set is published (sets are append-only).</summary>
    public Task<long> StampAsync(CancellationToken ct) =>
        db.ReadAsync((c, t) => c.ExecuteScalarAsync<long>(new CommandDefinition(StampSql, cancellationToken: t)), ct);
}

/// <summary>The stored form of a parameter set: the api.md shape, camelCase, categories by their codes.</summary>
public static class ParameterSetJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private sealed record Document(
        string Id, int Version, string RegionCode, string Name, string? PolicyDocument, DateOnly EffectiveFrom,
        decimal? PerCapitaIncome, int? IncomeYear, decimal DeductibleRatio, decimal? Deductible, decimal DeductibleRounding,
        BandBasis BandBasis, IReadOnlyList<Band> Bands, decimal? AnnualCap, decimal? ReferralMinRate,
        Dictionary<string, CategoryAdjustment> Categories, DateTime PublishedAt,
        // Added with per-stay pricing; absent from earlier documents, which read as discharge and no limit.
        PolicyYearBy PolicyYearBy = PolicyYearBy.Discharge, decimal? CombinedRateCap = null);

    public static string Serialize(ParameterSet s) => JsonSerializer.Serialize(new Document(
        s.Id, s.Version, s.RegionCode, s.Name, s.PolicyDocument, s.EffectiveFrom, s.PerCapitaIncome, s.IncomeYear,
        s.DeductibleRatio, s.Deductible, s.DeductibleRounding, s.BandBasis, s.Bands, s.AnnualCap, s.ReferralMinRate,
        s.Categories.ToDictionary(kv => kv.Key.ToCode(), kv => kv.Value), s.PublishedAt, s.PolicyYearBy, s.CombinedRateCap), Options);

    // Definitions are append-only and a ParameterSet is immutable, so one text always reads as the same set: every settlement and
    // preview reads the definitions its person-year's stays were priced with, and parsing them again was about 2 % of a
    // preview's CPU (bench/README.md "CPU trimming"). Bounded: past the limit, texts are parsed as before.
    private const int MaxParsed = 4096;
    private static readonly ConcurrentDictionary<string, ParameterSet> Parsed = new(StringComparer.Ordinal);

    public static ParameterSet Deserialize(string json)
    {
        if (Parsed.TryGetValue(json, out var known)) return known;
        var set = Parse(json);
        if (Parsed.Count < MaxParsed) Parsed.TryAdd(json, set);
        return set;
    }

    private static ParameterSet Parse(string json)
    {
        var d = JsonSerializer.Deserialize<Document>(json, Options) ?? throw new JsonException("Empty parameter set definition.");
        return new ParameterSet
        {
            Id = d.Id, Version = d.Version, RegionCode = d.RegionCode, Name = d.Name, PolicyDocument = d.PolicyDocument,
            EffectiveFrom = d.EffectiveFrom, PerCapitaIncome = d.PerCapitaIncome, IncomeYear = d.IncomeYear,
            DeductibleRatio = d.DeductibleRatio, Deductible = d.Deductible, DeductibleRounding = d.DeductibleRounding,
            BandBasis = d.BandBasis, Bands = d.Bands, AnnualCap = d.AnnualCap, ReferralMinRate = d.ReferralMinRate,
            Categories = d.Categories.ToDictionary(kv => PersonCategories.Parse(kv.Key), kv => kv.Value),
            PublishedAt = DateTime.SpecifyKind(d.PublishedAt, DateTimeKind.Utc),
            PolicyYearBy = d.PolicyYearBy, CombinedRateCap = d.CombinedRateCap,
        };
    }
}

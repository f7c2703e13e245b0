using System.Text.Json;
using ClaimsService.Data.Stores;

namespace ClaimsService.Api.Parameters;

/// <summary>
/// Loads deploy/reference-data: one parameter set per file, in the body shape of POST /v1/parameter-sets
/// (a <c>notes</c> field is ignored). Idempotent: a set whose region, effective date and name are already
/// published is skipped.
/// </summary>
public sealed class ReferenceData(ParameterSetStore store, ParameterSetCache cache, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<int> SeedAsync(string folder, CancellationToken ct)
    {
        await cache.RefreshAsync(ct, force: true);
        var published = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var request = JsonSerializer.Deserialize<ParameterSetRequest>(await File.ReadAllTextAsync(file, ct), Json)
                ?? throw new InvalidDataException($"{file} is empty.");
            var (set, errors) = request.ToDomain(Guid.CreateVersion7().ToString(), time.UtcNowStored());
            if (set is null)
                throw new InvalidDataException($"{Path.GetFileName(file)}: {string.Join("; ", errors.ToDictionary().Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}"))}");
            if (cache.All.Any(s => s.RegionCode == set.RegionCode && s.EffectiveFrom == set.EffectiveFrom && s.Name == set.Name)) continue;
            await store.PublishAsync(set, "seed:reference-data", ct);
            published++;
        }
        await cache.RefreshAsync(ct, force: true);
        return published;
    }

    /// <summary>The configured folder, else deploy/reference-data found upwards from the working directory or the app.</summary>
    public static string? Locate(string? configured)
    {
        if (!string.IsNullOrEmpty(configured)) return Directory.Exists(configured) ? configured : null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "deploy", "reference-data");
                if (Directory.Exists(candidate)) return candidate;
            }
        return null;
    }
}

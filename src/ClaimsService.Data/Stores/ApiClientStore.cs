using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>An API client: a role and its scope (a hospital code, or an insurer's regions).</summary>
public sealed class ApiClientRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string? HospitalCode { get; set; }
    /// <summary>Comma-separated region codes of an insurer.</summary>
    public string? Regions { get; set; }
    public string KeyPrefix { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>API keys, stored as SHA-256 hashes: the key itself is shown once, at creation, and never kept.</summary>
public sealed class ApiClientStore(Db db)
{
    private const string InsertSql = """
        INSERT INTO api_clients (id, name, role, hospital_code, regions, key_hash, key_prefix, created_at)
        VALUES (@Id, @Name, @Role, @HospitalCode, @Regions, @KeyHash, @KeyPrefix, @CreatedAt)
        """;

    /// <summary>Creates a client and returns its new key.</summary>
    public async Task<(ApiClientRow Client, string Key)> CreateAsync(string name, string role, string? hospitalCode, IReadOnlyList<string> regions, DateTime now, CancellationToken ct)
    {
        // 256 random bits: a key that cannot be guessed needs no slow hash, only a one-way one.
        var key = "csk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var client = new ApiClientRow
        {
            Id = Guid.CreateVersion7().ToString(), Name = name, Role = role, HospitalCode = hospitalCode,
            Regions = regions.Count == 0 ? null : string.Join(',', regions), KeyPrefix = key[..8], CreatedAt = now,
        };
        await db.InTransactionAsync((c, tx, t) => c.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            client.Id, client.Name, client.Role, client.HospitalCode, client.Regions, KeyHash = Hash(key), client.KeyPrefix, client.CreatedAt,
        }, tx, cancellationToken: t)), ct, retry: false);
        return (client, key);
    }

    private const string FindSql = """
        SELECT id, name, role, hospital_code, regions, key_prefix, created_at, revoked_at
        FROM api_clients WHERE key_hash = @KeyHash AND revoked_at IS NULL
        """;

    public Task<ApiClientRow?> FindByKeyAsync(string key, CancellationToken ct) =>
        db.ReadAsync((c, t) => c.QuerySingleOrDefaultAsync<ApiClientRow>(new CommandDefinition(FindSql, new { KeyHash = Hash(key) }, cancellationToken: t)), ct);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

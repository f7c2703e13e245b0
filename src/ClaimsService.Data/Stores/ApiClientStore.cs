using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace ClaimsService.Data.Stores;

/// <summary>An API client: a role and its scope (a hospital code, or an insurer's or auditor's regions).</summary>
public sealed class ApiClientRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string? HospitalCode { get; set; }
    /// <summary>Comma-separated region codes of an insurer or an auditor.</summary>
    public string? Regions { get; set; }
    public string KeyPrefix { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    /// <summary>The instant from which the key is refused (the end of a business day); null = never.</summary>
    public DateTime? ExpiresAt { get; set; }
    /// <summary>When the key was last accepted, to within a minute (see the API's ApiKeyUsage).</summary>
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? RevocationReason { get; set; }

    public bool IsExpiredAt(DateTime utcNow) => ExpiresAt is { } expires && utcNow >= expires;
}

/// <summary>API keys, stored as SHA-256 hashes: the key itself is shown once, at creation, and never kept.</summary>
public sealed class ApiClientStore(Db db)
{
    private const string InsertSql = """
        INSERT INTO api_clients (id, name, role, hospital_code, regions, key_hash, key_prefix, created_at, expires_at)
        VALUES (@Id, @Name, @Role, @HospitalCode, @Regions, @KeyHash, @KeyPrefix, @CreatedAt, @ExpiresAt)
        """;

    /// <summary>Creates a client and returns its new key.</summary>
    public async Task<(ApiClientRow Client, string Key)> CreateAsync(string name, string role, string? hospitalCode, IReadOnlyList<string> regions, DateTime now,
        CancellationToken ct, DateTime? expiresAt = null)
    {
        // 256 random bits: a key that cannot be guessed needs no slow hash, only a one-way one.
        var key = "csk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var client = new ApiClientRow
        {
            Id = Guid.CreateVersion7().ToString(), Name = name, Role = role, HospitalCode = hospitalCode,
            Regions = regions.Count == 0 ? null : string.Join(',', regions), KeyPrefix = key[..8], CreatedAt = now, ExpiresAt = expiresAt,
        };
        await db.InTransactionAsync((c, tx, t) => c.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            client.Id, client.Name, client.Role, client.HospitalCode, client.Regions, KeyHash = Hash(key), client.KeyPrefix, client.CreatedAt,
            client.ExpiresAt,
        }, tx, cancellationToken: t)), ct, retry: false);
        return (client, key);
    }

    private const string FindSql = """
        SELECT id, name, role, hospital_code, regions, key_prefix, created_at, expires_at, last_used_at, revoked_at, revocation_reason
        FROM api_clients WHERE key_hash = @KeyHash AND revoked_at IS NULL
        """;

    /// <summary>The client of a key that is not revoked (it may be expired: the caller compares with its clock).</summary>
    public Task<ApiClientRow?> FindByKeyAsync(string key, CancellationToken ct) =>
        db.ReadAsync((c, t) => c.QuerySingleOrDefaultAsync<ApiClientRow>(new CommandDefinition(FindSql, new { KeyHash = Hash(key) }, cancellationToken: t)), ct);

    private const string ListSql = """
        SELECT id, name, role, hospital_code, regions, key_prefix, created_at, expires_at, last_used_at, revoked_at, revocation_reason
        FROM api_clients ORDER BY created_at, id
        """;

    /// <summary>Every client, oldest first; never a key or its hash.</summary>
    public Task<IReadOnlyList<ApiClientRow>> ListAsync(CancellationToken ct) =>
        db.ReadAsync(async (c, t) => (IReadOnlyList<ApiClientRow>)(await c.QueryAsync<ApiClientRow>(new CommandDefinition(ListSql, cancellationToken: t))).AsList(), ct);

    private const string GetSql = """
        SELECT id, name, role, hospital_code, regions, key_prefix, created_at, expires_at, last_used_at, revoked_at, revocation_reason
        FROM api_clients WHERE id = @Id
        """;

    private const string RevokeSql = """
        UPDATE api_clients SET revoked_at = @Now, revocation_reason = @Reason WHERE id = @Id AND revoked_at IS NULL
        """;

    /// <summary>Revokes a client's key; a key already revoked keeps its first revocation. Null when no client has this id.</summary>
    public Task<ApiClientRow?> RevokeAsync(string id, string reason, DateTime now, CancellationToken ct) =>
        // Safe to retry: the second run finds the key revoked and changes nothing.
        db.InTransactionAsync(async (c, tx, t) =>
        {
            await c.ExecuteAsync(new CommandDefinition(RevokeSql, new { Id = id, Reason = reason, Now = now }, tx, cancellationToken: t));
            return await c.QuerySingleOrDefaultAsync<ApiClientRow>(new CommandDefinition(GetSql, new { Id = id }, tx, cancellationToken: t));
        }, ct);

    private const string TouchSql = """
        UPDATE api_clients SET last_used_at = @LastUsedAt WHERE id = @Id AND (last_used_at IS NULL OR last_used_at < @LastUsedAt)
        """;

    /// <summary>Records when keys were last used (one statement per key; called about once a minute, not per request).</summary>
    public Task TouchAsync(IReadOnlyCollection<(string Id, DateTime LastUsedAt)> uses, CancellationToken ct) =>
        db.InTransactionAsync((c, tx, t) => c.ExecuteAsync(new CommandDefinition(TouchSql, uses.Select(u => new { u.Id, u.LastUsedAt }), tx, cancellationToken: t)), ct);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

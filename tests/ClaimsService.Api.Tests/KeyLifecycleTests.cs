using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data.Stores;

namespace ClaimsService.Api.Tests;

/// <summary>Keys that expire, are listed without their secret, and are revoked (api.md "API clients").</summary>
public abstract class KeyLifecycleTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ClaimsAppFactory
{
    private readonly HttpClient _admin = factory.ClientFor("admin");

    [Fact]
    public async Task AKeyPastItsExpiryIsUnauthorized()
    {
        var (_, key) = await CreateAsync(factory, "hospital", expiresAt: factory.Time.GetUtcNow().UtcDateTime.AddMinutes(30));
        using var hospital = WithKey(factory, key);
        await (await hospital.GetAsync("/v1/parameter-sets")).ShouldBeAsync(HttpStatusCode.OK);

        factory.Time.Advance(TimeSpan.FromMinutes(31));

        await (await hospital.GetAsync("/v1/parameter-sets")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task TheListShowsEveryClientWithItsScopeAndNeverAKeyOrItsHash()
    {
        var (client, key) = await CreateAsync(factory, "insurer", regions: ["450300", "450100"]);

        var response = await _admin.GetAsync("/v1/clients");
        var text = await response.Content.ReadAsStringAsync();

        var list = await response.ShouldBeAsync(HttpStatusCode.OK);
        var listed = Assert.Single(list.EnumerateArray(), c => c.Text("id") == client.Id);
        Assert.Equal(("insurer", client.Name), (listed.Text("role"), listed.Text("name")));
        Assert.Equal(["450300", "450100"], listed.GetProperty("regions").EnumerateArray().Select(r => r.GetString()));
        Assert.False(listed.TryGetProperty("revokedAt", out _));
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiClientStore.Hash(key), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ARevokedKeyIsUnauthorizedAndListedAsRevokedWithItsReason()
    {
        var (client, key) = await CreateAsync(factory, "ops");
        using var ops = WithKey(factory, key);
        await (await ops.GetAsync("/v1/ops/summary")).ShouldBeAsync(HttpStatusCode.OK);

        var revoked = await (await _admin.PostJsonAsync($"/v1/clients/{client.Id}/revocation", new JsonObject { ["reason"] = "leaked in a ticket" }))
            .ShouldBeAsync(HttpStatusCode.OK);

        Assert.Equal(("leaked in a ticket", client.Id), (revoked.Text("revocationReason"), revoked.Text("id")));
        Assert.True(revoked.TryGetProperty("revokedAt", out _));
        await EventuallyUnauthorizedAsync(ops, "/v1/ops/summary", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task RevokingAnUnknownClientIsNotFound() =>
        await (await _admin.PostJsonAsync($"/v1/clients/{Guid.NewGuid()}/revocation", new JsonObject { ["reason"] = "no such client" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "client_not_found");

    [Fact]
    public async Task ARevocationNeedsAReason()
    {
        var (client, _) = await CreateAsync(factory, "ops");

        await (await _admin.PostJsonAsync($"/v1/clients/{client.Id}/revocation", new JsonObject())).ShouldBeValidationProblemAsync("reason");
    }

    [Theory]
    [InlineData("hospital")]
    [InlineData("insurer")]
    [InlineData("auditor")]
    [InlineData("ops")]
    public async Task OnlyAnAdminMayListOrRevokeClients(string role)
    {
        var (target, _) = await CreateAsync(factory, "ops");
        var client = factory.ClientFor(role, role == "hospital" ? Requests.GuilinHospital : null, role is "insurer" or "auditor" ? [Requests.Guilin] : []);

        await (await client.GetAsync("/v1/clients")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await client.PostJsonAsync($"/v1/clients/{target.Id}/revocation", new JsonObject { ["reason"] = "x" }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var listed = await (await _admin.GetAsync("/v1/clients")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.False(listed.EnumerateArray().Single(c => c.Text("id") == target.Id).TryGetProperty("revokedAt", out _));
    }

    [Fact]
    public async Task AKeysLastUseIsRecordedWithoutAWritePerRequest()
    {
        var (client, key) = await CreateAsync(factory, "ops");
        using var ops = WithKey(factory, key);
        for (var i = 0; i < 3; i++) await (await ops.GetAsync("/v1/ops/summary")).ShouldBeAsync(HttpStatusCode.OK);
        var before = (await factory.Service<ApiClientStore>().ListAsync(CancellationToken.None)).Single(c => c.Id == client.Id);
        Assert.Null(before.LastUsedAt);

        // What the writer does once a minute.
        await factory.Service<ApiClientStore>().TouchAsync(factory.Service<ApiKeyUsage>().Drain(), CancellationToken.None);

        var listed = await (await _admin.GetAsync("/v1/clients")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(factory.Time.GetUtcNow().UtcDateTime,
            listed.EnumerateArray().Single(c => c.Text("id") == client.Id).GetProperty("lastUsedAt").GetDateTime().ToUniversalTime(), TimeSpan.FromSeconds(1));
    }

    public static Task<(ApiClientRow Client, string Key)> CreateAsync(ClaimsAppFactory factory, string role, string? hospital = null,
        string[]? regions = null, DateTime? expiresAt = null) =>
        factory.Service<ApiClientStore>().CreateAsync($"test-{role}-{Guid.NewGuid():N}", role, hospital ?? (role == "hospital" ? Requests.GuilinHospital : null),
            regions ?? [], factory.Time.GetUtcNow().UtcDateTime, CancellationToken.None, expiresAt);

    public static HttpClient WithKey(ClaimsAppFactory factory, string key)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return client;
    }

    /// <summary>Calls until the key is refused; asserts it was within <paramref name="within"/>.</summary>
    public static async Task EventuallyUnauthorizedAsync(HttpClient client, string url, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        HttpResponseMessage response;
        do
        {
            response = await client.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.Unauthorized) break;
            await Task.Delay(100);
        }
        while (clock.Elapsed < within + TimeSpan.FromSeconds(5));
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.True(clock.Elapsed < within, $"refused after {clock.Elapsed.TotalSeconds:0.0} s");
    }
}

public sealed class SqliteKeyLifecycleTests(SqliteAppFactory f) : KeyLifecycleTests<SqliteAppFactory>(f);

/// <summary>Two service instances on one database: a key revoked through one is refused by the other within 5 s.</summary>
public sealed class KeyRevocationAcrossInstancesTests : IDisposable
{
    private static readonly string Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"claims-revocation-{Guid.NewGuid():N}.db");
    private readonly Instance _first = new(Path);
    private readonly Instance _second = new(Path);

    [Fact]
    public async Task AKeyRevokedThroughOneInstanceIsUnauthorizedOnTheOtherWithinFiveSeconds()
    {
        using var admin = _first.ClientFor("admin");
        var (client, key) = await KeyLifecycleTests<SqliteAppFactory>.CreateAsync(_second, "ops");
        using var ops = KeyLifecycleTests<SqliteAppFactory>.WithKey(_second, key);
        // The second instance knows the key (and caches it) before the revocation.
        await (await ops.GetAsync("/v1/ops/summary")).ShouldBeAsync(HttpStatusCode.OK);

        await (await admin.PostJsonAsync($"/v1/clients/{client.Id}/revocation", new JsonObject { ["reason"] = "leaked" })).ShouldBeAsync(HttpStatusCode.OK);

        await KeyLifecycleTests<SqliteAppFactory>.EventuallyUnauthorizedAsync(ops, "/v1/ops/summary", TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    private sealed class Instance(string path) : SqliteAppFactory(path);
}

/// <summary><c>keys create --expires DATE</c>: today or later; the key is refused from the end of that business day (UTC+8).</summary>
public sealed class KeyExpiryOptionTests
{
    private static readonly DateTime Now = new(2020, 12, 1, 2, 0, 0, DateTimeKind.Utc); // 10:00 in China

    [Fact]
    public void AKeyExpiringTodayIsRefusedFromMidnightInChina() =>
        Assert.Equal(new DateTime(2020, 12, 1, 16, 0, 0, DateTimeKind.Utc), KeyVerbs.ExpiryOf("2020-12-01", Now));

    [Fact]
    public void TodayIsTheBusinessDayInChinaNotInUtc() =>
        // 2020-11-30 20:00 UTC is already 2020-12-01 in China: 2020-11-30 is yesterday there.
        Assert.Throws<ArgumentException>(() => KeyVerbs.ExpiryOf("2020-11-30", new DateTime(2020, 11, 30, 20, 0, 0, DateTimeKind.Utc)));

    [Theory]
    [InlineData("2020-11-30")]
    [InlineData("2020/12/31")]
    [InlineData("31.12.2020")]
    public void AnExpiryInThePastOrNotYyyyMmDdIsRefused(string date) =>
        Assert.Throws<ArgumentException>(() => KeyVerbs.ExpiryOf(date, Now));
}

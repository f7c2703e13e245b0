using System.Net;
using System.Reflection;
using ClaimsService.Api.Audit;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data;
using ClaimsService.Data.Audit;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>An entry's digest covers every stored column: a change to any one of them changes it.</summary>
public sealed class AuditDigestTests(SqliteAppFactory factory) : IClassFixture<SqliteAppFactory>
{
    private static readonly PropertyInfo[] Stored = typeof(AuditEntryRow).GetProperties()
        .Where(p => p.Name != nameof(AuditEntryRow.AdjudicationInsuredId)).ToArray();

    [Fact]
    public async Task TheDigestReadsEveryColumnOfTheAuditTable()
    {
        await using var connection = new SqliteConnection(factory.Service<IOptions<DatabaseOptions>>().Value.ConnectionString);
        var columns = (await connection.QueryAsync<string>("SELECT name FROM pragma_table_info('audit_log')"))
            .Select(c => c.Replace("_", "", StringComparison.Ordinal)).Order(StringComparer.OrdinalIgnoreCase).ToList();

        // A column added to audit_log without being added to the entry row (and so to the digest) fails here.
        Assert.Equal(columns, Stored.Select(p => p.Name).Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void ChangingAnyStoredColumnChangesTheDigest()
    {
        var entry = Entry();
        var digest = AuditDigest.Of(entry);
        foreach (var property in Stored)
        {
            var changed = Entry();
            property.SetValue(changed, property.PropertyType == typeof(long) ? 2L
                : property.PropertyType == typeof(int?) ? 4
                : property.PropertyType == typeof(DateTime) ? entry.RecordedAt.AddTicks(10)
                : (object)"changed");
            Assert.True(AuditDigest.Of(changed) != digest, $"{property.Name} is not covered by the digest");
        }
        Assert.Equal(digest, AuditDigest.Of(Entry()));
    }

    [Fact]
    public async Task InstancesSealingAtOnceStoreOneChain()
    {
        var path = Path.Combine(Path.GetTempPath(), $"claims-sealers-{Guid.NewGuid():N}.db");
        using var first = new Instance(path);
        using var second = new Instance(path);
        var hospital = first.ClientFor("hospital", GuilinHospital);
        for (var i = 0; i < 5; i++) await (await hospital.PostJsonAsync("/v1/settlements/preview", Settlement())).ShouldBeAsync(HttpStatusCode.OK);
        first.Time.Advance(TimeSpan.FromMinutes(2));
        second.Time.Advance(TimeSpan.FromMinutes(2));

        var taken = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? first : second).Service<AuditSealer>().SealAsync(CancellationToken.None)));

        var seals = await first.Service<AuditSealStore>().AllAsync(CancellationToken.None);
        Assert.Equal(taken.Sum(t => t.Count), seals.Count);
        Assert.Equal(5, seals[^1].Entries);
        var verification = await second.Service<AuditVerifier>().VerifyAsync(null, null, CancellationToken.None);
        Assert.True(verification.Intact, string.Join("; ", verification.Findings));
    }

    private static AuditEntryRow Entry() => new()
    {
        Id = 1, AdjudicationId = "a", Kind = "settlement", Outcome = "accepted", Code = "c", Caller = "hospital:x", HospitalCode = "H1",
        SettlementId = "S1", RegionCode = "450300", ParameterSetId = "p", ParameterSetVersion = 3, Category = "general", Inputs = "{}",
        Trace = "[]", Outputs = "{}", TraceId = "t", RecordedAt = new DateTime(2020, 12, 1, 2, 0, 0, DateTimeKind.Utc),
    };

    private sealed class Instance(string path) : SqliteAppFactory(path);
}

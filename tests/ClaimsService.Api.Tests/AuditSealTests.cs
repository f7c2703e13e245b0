using System.Net;
using ClaimsService.Api.Audit;
using ClaimsService.Api.Tests.Infrastructure;
using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using Dapper;
using Microsoft.Extensions.Options;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>
/// The hash chain over audit_log: sealed off the hot path, only past the safety margin; <c>audit verify</c> names every entry
/// changed, removed or inserted in a sealed prefix, with a non-zero exit status. One database per test: tampering is global.
/// </summary>
public abstract class AuditSealTests<TFactory> where TFactory : ClaimsAppFactory, new()
{
    [Fact]
    public async Task AnUntouchedLogIsSealedPastTheMarginAndVerifies()
    {
        using var factory = new TFactory();
        var sequences = await RecordEntriesAsync(factory, 4);

        Assert.Empty(await factory.Service<AuditSealer>().SealAsync(CancellationToken.None));
        factory.Time.Advance(TimeSpan.FromMinutes(2));
        var seal = Assert.Single(await factory.Service<AuditSealer>().SealAsync(CancellationToken.None));

        Assert.Equal(sequences[^1], seal.Sequence);
        Assert.True(seal.Entries >= 4);
        Assert.Null(seal.PreviousDigest);
        Assert.Empty(await factory.Service<AuditSealer>().SealAsync(CancellationToken.None));
        var (status, output) = await VerifyAsync(factory);
        Assert.True(status == 0, output);
        var verification = await (await factory.ClientFor("admin").GetAsync("/v1/audit/verification")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.True(verification.GetProperty("intact").GetBoolean());
        Assert.Empty(verification.GetProperty("findings").EnumerateArray());
        // The seal is listed for auditors and insurers, and the insurer's summary carries it.
        var day = DateOnly.FromDateTime(factory.Time.GetUtcNow().UtcDateTime.AddHours(8)).ToString("yyyy-MM-dd");
        foreach (var reader in new[] { factory.ClientFor("auditor", null, Guilin), factory.ClientFor("insurer", null, Guilin), factory.ClientFor("admin") })
        {
            var listed = await (await reader.GetAsync($"/v1/audit/seals?from={day}&to={day}")).ShouldBeAsync(HttpStatusCode.OK);
            Assert.Equal(seal.Digest, Assert.Single(listed.EnumerateArray()).Text("digest"));
        }
        await (await factory.ClientFor("hospital", GuilinHospital).GetAsync($"/v1/audit/seals?from={day}&to={day}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await factory.ClientFor("auditor", null, Guilin).GetAsync("/v1/audit/verification")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var summary = await (await factory.ClientFor("insurer", null, Guilin).GetAsync($"/v1/reconciliation/summary?regionCode={Guilin}&from=2020-12-01&to=2020-12-01"))
            .ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal((seal.Sequence, seal.Digest), (summary.GetProperty("auditSeal").GetProperty("sequence").GetInt64(), summary.GetProperty("auditSeal").Text("digest")));
    }

    [Fact]
    public async Task ALaterSealContinuesTheChainAndEachSegmentVerifies()
    {
        using var factory = new TFactory();
        await RecordEntriesAsync(factory, 2);
        factory.Time.Advance(TimeSpan.FromMinutes(2));
        var first = Assert.Single(await factory.Service<AuditSealer>().SealAsync(CancellationToken.None));
        await RecordEntriesAsync(factory, 2);
        factory.Time.Advance(TimeSpan.FromMinutes(2));

        var second = Assert.Single(await factory.Service<AuditSealer>().SealAsync(CancellationToken.None));

        Assert.Equal(first.Digest, second.PreviousDigest);
        Assert.Equal(first.Entries + 2, second.Entries);
        var (status, output) = await VerifyAsync(factory);
        Assert.True(status == 0, output);
    }

    [Fact]
    public async Task AnEntryChangedInASealedPrefixIsNamedAndVerifyFails()
    {
        using var factory = new TFactory();
        var sequences = await SealedEntriesAsync(factory);
        var target = sequences[1];

        await ExecuteAsync(factory, "UPDATE audit_log SET outputs = '{\"payout\":99999}' WHERE id = @Id", new { Id = target });

        var (status, output) = await VerifyAsync(factory);
        Assert.Equal(1, status);
        Assert.Contains($"sequence {target}: changed", output);
        var verification = await (await factory.ClientFor("admin").GetAsync("/v1/audit/verification")).ShouldBeAsync(HttpStatusCode.OK);
        Assert.False(verification.GetProperty("intact").GetBoolean());
        Assert.Contains(verification.GetProperty("findings").EnumerateArray(), f => f.GetProperty("sequence").GetInt64() == target && f.Text("problem") == "changed");
    }

    [Fact]
    public async Task AnEntryRemovedFromASealedPrefixIsNamedAndVerifyFails()
    {
        using var factory = new TFactory();
        var sequences = await SealedEntriesAsync(factory);
        var target = sequences[2];

        await ExecuteAsync(factory, "DELETE FROM audit_log WHERE id = @Id", new { Id = target });

        var (status, output) = await VerifyAsync(factory);
        Assert.Equal(1, status);
        Assert.Contains($"sequence {target}: removed", output);
    }

    [Fact]
    public async Task AnEntryInsertedIntoASealedPrefixIsNamedAndVerifyFails()
    {
        using var factory = new TFactory();
        await RecordEntriesAsync(factory, 2);
        // A sequence number handed out and never committed (as a rolled-back transaction leaves): a gap in the sealed prefix.
        var gap = await ExecuteScalarAsync(factory, $"{InsertSql(factory, explicitId: false)}; SELECT MAX(id) FROM audit_log", new { Id = 0L });
        await ExecuteAsync(factory, "DELETE FROM audit_log WHERE id = @Id", new { Id = gap });
        await RecordEntriesAsync(factory, 2);
        factory.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Single(await factory.Service<AuditSealer>().SealAsync(CancellationToken.None));
        Assert.Equal(0, (await VerifyAsync(factory)).Status);

        await ExecuteAsync(factory, InsertSql(factory, explicitId: true), new { Id = gap });

        var (status, output) = await VerifyAsync(factory);
        Assert.Equal(1, status);
        Assert.Contains($"sequence {gap}: inserted", output);
    }

    private static string InsertSql(ClaimsAppFactory factory, bool explicitId)
    {
        var overriding = explicitId && factory.Service<SqlDialect>().Provider == DatabaseProvider.PostgreSql ? "OVERRIDING SYSTEM VALUE " : "";
        return $"""
            INSERT INTO audit_log ({(explicitId ? "id, " : "")}kind, outcome, caller, hospital_code, settlement_id, region_code, inputs, recorded_at)
            {overriding}VALUES ({(explicitId ? "@Id, " : "")}'settlement', 'accepted', 'hospital:forged', '{GuilinHospital}', 'FORGED', '{Guilin}', '{"{}"}', '2020-12-01 02:00:00')
            """;
    }

    /// <summary>Four previews, sealed; their sequences.</summary>
    private static async Task<IReadOnlyList<long>> SealedEntriesAsync(TFactory factory)
    {
        var sequences = await RecordEntriesAsync(factory, 4);
        factory.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Single(await factory.Service<AuditSealer>().SealAsync(CancellationToken.None));
        Assert.Equal(0, (await VerifyAsync(factory)).Status);
        return sequences;
    }

    private static async Task<IReadOnlyList<long>> RecordEntriesAsync(ClaimsAppFactory factory, int count)
    {
        var hospitalCode = $"H45{Random.Shared.Next(10_000_000, 99_999_999)}";
        var hospital = factory.ClientFor("hospital", hospitalCode);
        for (var i = 0; i < count; i++) await (await hospital.PostJsonAsync("/v1/settlements/preview", Settlement())).ShouldBeAsync(HttpStatusCode.OK);
        var page = await (await factory.ClientFor("admin").GetAsync($"/v1/audit/entries?hospitalCode={hospitalCode}")).ShouldBeAsync(HttpStatusCode.OK);
        return page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).ToList();
    }

    /// <summary>Runs <c>audit verify</c> as the command line does; its exit status and everything it printed.</summary>
    private static async Task<(int Status, string Output)> VerifyAsync(ClaimsAppFactory factory)
    {
        using var output = new StringWriter();
        var status = await AuditVerbs.VerifyAsync(factory.Services, [], output, output);
        return (status, output.ToString());
    }

    private static async Task ExecuteAsync(ClaimsAppFactory factory, string sql, object parameters)
    {
        await using var connection = Open(factory);
        await connection.ExecuteAsync(sql, parameters);
    }

    private static async Task<long> ExecuteScalarAsync(ClaimsAppFactory factory, string sql, object parameters)
    {
        await using var connection = Open(factory);
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    private static System.Data.Common.DbConnection Open(ClaimsAppFactory factory) =>
        factory.Service<SqlDialect>().CreateConnection(factory.Service<IOptions<DatabaseOptions>>().Value.ConnectionString);
}

public sealed class SqliteAuditSealTests : AuditSealTests<SqliteAppFactory>;

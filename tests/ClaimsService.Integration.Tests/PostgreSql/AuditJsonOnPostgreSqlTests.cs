using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimsService.Api.Settlements;
using ClaimsService.Integration.Tests.Infrastructure;
using Dapper;

namespace ClaimsService.Integration.Tests.PostgreSql;

/// <summary>
/// The audit log's JSON (inputs, trace, outputs) is written by source-generated serialisers (bench/README.md "CPU trimming"):
/// what they store must be, byte for byte, what the reflection serialiser with the stores' options wrote before them,
/// so entries written before and after the change read alike and the hash chain covers the same kind of text.
/// </summary>
public sealed class AuditJsonOnPostgreSqlTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    // The options of SettlementStore.Json, the reflection serialiser the audit entries were written with.
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AuditEntriesOfASettlementAndAPreviewStoreTheBytesTheReflectionSerialiserWrote()
    {
        var hospital = Guilin.HospitalClient(factory);
        var insured = Guilin.NewInsuredId();
        var settlementId = Guilin.NewSettlementId();
        var settled = await hospital.PostAsJsonAsync("/v1/settlements", Guilin.Stay(settlementId, insured, 50000.00m));
        Assert.Equal(HttpStatusCode.Created, settled.StatusCode);
        var settlement = (await settled.Content.ReadFromJsonAsync<SettlementResponse>(Reflection))!;
        var previewId = Guilin.NewSettlementId();
        var previewed = await hospital.PostAsJsonAsync("/v1/settlements/preview", Guilin.Stay(previewId, insured, 20000.05m));
        Assert.Equal(HttpStatusCode.OK, previewed.StatusCode);
        var preview = (await previewed.Content.ReadFromJsonAsync<SettlementResponse>(Reflection))!;

        await using var db = await factory.OpenDatabaseAsync();
        var rows = (await db.QueryAsync<(string Kind, string Inputs, string Trace, string Outputs)>(
            "SELECT kind, inputs, trace, outputs FROM audit_log WHERE settlement_id = ANY(@Ids) ORDER BY id",
            new { Ids = new[] { settlementId, previewId } })).ToList();
        Assert.Equal(["settlement", "preview"], rows.Select(r => r.Kind));
        var candidates = await db.ExecuteScalarAsync<string?>("SELECT candidate_categories FROM adjudications WHERE id = @Id", new { Id = settlement.AdjudicationId });

        Assert.Equal(Inputs(settlementId, insured, 50000.00m), rows[0].Inputs);
        Assert.Equal(JsonSerializer.Serialize(settlement.Trace, Reflection), rows[0].Trace);
        // The anonymous object PersonYearUnitOfWork.AuditOf serialised, field for field.
        Assert.Equal(JsonSerializer.Serialize(new
        {
            adjudicationId = settlement.AdjudicationId, kind = settlement.Kind, payout = settlement.Payout, deductible = settlement.Deductible,
            eligibleAmount = settlement.EligibleAmount, eligibleBefore = settlement.YearToDate.EligibleBefore,
            eligibleAfter = settlement.YearToDate.EligibleAfter, paidBefore = settlement.YearToDate.PaidBefore,
            paidAfter = settlement.YearToDate.PaidAfter, capApplied = settlement.CapApplied, relatedId = settlement.RelatedAdjudicationId,
            candidateCategories = candidates,
        }, Reflection), rows[0].Outputs);

        Assert.Equal(Inputs(previewId, insured, 20000.05m), rows[1].Inputs);
        Assert.Equal(JsonSerializer.Serialize(preview.Trace, Reflection), rows[1].Trace);
        // A preview's outputs are its whole answer, nulls included.
        Assert.Equal(JsonSerializer.Serialize(preview, Reflection), rows[1].Outputs);
        Assert.Contains("\"adjustments\":null", rows[1].Outputs);
    }

    private static string Inputs(string settlementId, string insured, decimal eligible) => JsonSerializer.Serialize(
        new ValidSettlement(settlementId, insured, Guilin.Region, new DateOnly(2020, 10, 1), new DateOnly(2020, 10, 12),
            eligible + 30000.00m, 30000.00m, false), Reflection);
}

using ClaimsService.Integration.Tests.Infrastructure;
using ClaimsService.Integration.Tests.Scenarios;

namespace ClaimsService.Integration.Tests.PostgreSql;

public sealed class StoresOnPostgreSqlTests(PostgresAppFactory factory) : StoreScenarios(factory), IClassFixture<PostgresAppFactory>
{
    [Fact]
    public Task ReconciliationRunsReadBackNewestFirstAndCutToTheLimit() => ReadsTheNewestReconciliationRunsFirstCutToTheLimitAsync();

    [Fact]
    public Task AuditTrailOfASettlementReadsBackInOrderWithoutReplays() => KeepsTheAuditTrailOfASettlementInOrderAsync();
}

using ClaimsService.Integration.Tests.Infrastructure;
using ClaimsService.Integration.Tests.Scenarios;

namespace ClaimsService.Integration.Tests.SqlServer;

public sealed class StoresOnSqlServerTests(SqlServerAppFactory factory) : StoreScenarios(factory), IClassFixture<SqlServerAppFactory>
{
    [SqlServerFact]
    public Task ReconciliationRunsReadBackNewestFirstAndCutToTheLimit() => ReadsTheNewestReconciliationRunsFirstCutToTheLimitAsync();

    [SqlServerFact]
    public Task AuditTrailOfASettlementReadsBackInOrderWithoutReplays() => KeepsTheAuditTrailOfASettlementInOrderAsync();
}

using ClaimsService.Integration.Tests.Infrastructure;
using ClaimsService.Integration.Tests.Scenarios;

namespace ClaimsService.Integration.Tests.SqlServer;

/// <summary>The smoke path on SQL Server 2022 through Testcontainers; skipped, with the reason, where no Docker engine answers.</summary>
public sealed class GuilinSettlementOnSqlServerTests(SqlServerAppFactory factory)
    : GuilinSettlementScenarios(factory, factory.OpenDatabaseAsync), IClassFixture<SqlServerAppFactory>
{
    [SqlServerFact]
    public Task FiftyThousandEligiblePaysTwentyThreeThousandEightHundredAndReplaysTheSameAnswer() => SettlesTheWorkedExampleAndReplaysItAsync();

    [SqlServerFact]
    public Task RegisteredPoorMemberIsPaidUnderTheirCategory() => PaysARegisteredPoorMemberUnderTheirCategoryAsync();

    [SqlServerFact]
    public Task PreviewPricesAgainstTheLedgerWithoutTouchingIt() => PreviewsAgainstTheLedgerWithoutTouchingItAsync();

    [SqlServerFact]
    public Task ReversingTheFirstStayRepricesTheLaterOneAndReplaysTheReversal() => ReversesTheFirstStayAndRepricesTheLaterOneAsync();

    [SqlServerFact]
    public Task ReconciliationSummaryCountsTheDaysSettlementsAndReversals() => SummarisesTheDaysSettlementsAndReversalsAsync();
}

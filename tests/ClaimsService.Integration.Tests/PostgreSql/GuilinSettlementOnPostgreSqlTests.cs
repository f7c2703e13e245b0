using ClaimsService.Integration.Tests.Infrastructure;
using ClaimsService.Integration.Tests.Scenarios;

namespace ClaimsService.Integration.Tests.PostgreSql;

public sealed class GuilinSettlementOnPostgreSqlTests(PostgresAppFactory factory)
    : GuilinSettlementScenarios(factory, async () => await factory.OpenDatabaseAsync()), IClassFixture<PostgresAppFactory>
{
    [Fact]
    public Task FiftyThousandEligiblePaysTwentyThreeThousandEightHundredAndReplaysTheSameAnswer() => SettlesTheWorkedExampleAndReplaysItAsync();

    [Fact]
    public Task RegisteredPoorMemberIsPaidUnderTheirCategory() => PaysARegisteredPoorMemberUnderTheirCategoryAsync();

    [Fact]
    public Task PreviewPricesAgainstTheLedgerWithoutTouchingIt() => PreviewsAgainstTheLedgerWithoutTouchingItAsync();

    [Fact]
    public Task ReversingTheFirstStayRepricesTheLaterOneAndReplaysTheReversal() => ReversesTheFirstStayAndRepricesTheLaterOneAsync();

    [Fact]
    public Task ReconciliationSummaryCountsTheDaysSettlementsAndReversals() => SummarisesTheDaysSettlementsAndReversalsAsync();
}

using ClaimsService.Api.Tests.Infrastructure;

namespace ClaimsService.Api.Tests;

/// <summary>The embedded default with Database:Batching:Enabled=false: every request in its own transaction (the path before batching).</summary>
public sealed class SqliteUnbatchedAppFactory : SqliteAppFactory
{
    protected override bool Batching => false;
}

// The suites that adjudicate, again with batching off: both paths keep the one HTTP contract.
public sealed class UnbatchedSqliteSettlementsApiTests(SqliteUnbatchedAppFactory f) : SettlementsApiTests<SqliteUnbatchedAppFactory>(f);
public sealed class UnbatchedSqliteReversalApiTests(SqliteUnbatchedAppFactory f) : ReversalApiTests<SqliteUnbatchedAppFactory>(f);
public sealed class UnbatchedSqliteLedgerAndAuditTests(SqliteUnbatchedAppFactory f) : LedgerAndAuditTests<SqliteUnbatchedAppFactory>(f);
public sealed class UnbatchedSqlitePerStayPricingApiTests(SqliteUnbatchedAppFactory f) : PerStayPricingApiTests<SqliteUnbatchedAppFactory>(f);
public sealed class UnbatchedSqliteAuditEntriesTests(SqliteUnbatchedAppFactory f) : AuditEntriesTests<SqliteUnbatchedAppFactory>(f);
public sealed class UnbatchedSqliteHardeningTests(SqliteUnbatchedAppFactory f) : HardeningTests<SqliteUnbatchedAppFactory>(f);
public sealed class UnbatchedSqliteErrorResponseTests(SqliteUnbatchedAppFactory f) : ErrorResponseTests<SqliteUnbatchedAppFactory>(f);
public sealed class UnbatchedSqliteValidationTests(SqliteUnbatchedAppFactory f) : ValidationTests<SqliteUnbatchedAppFactory>(f);
public sealed class UnbatchedSqliteReconciliationTotalsTests(SqliteUnbatchedAppFactory f)
    : Reconciliation.ReconciliationTotalsTests<SqliteUnbatchedAppFactory>(f);

using ClaimsService.Api.Tests;
using ClaimsService.Api.Tests.Reconciliation;
using ClaimsService.Integration.Tests.Infrastructure;

namespace ClaimsService.Integration.Tests.PostgreSql;

// The full HTTP contract suite of ClaimsService.Api.Tests, run again on PostgreSQL: one fresh database per suite.
public sealed class PostgresAuthTests(PostgresAppFactory factory) : AuthTests<PostgresAppFactory>(factory);
public sealed class PostgresDetailCheckTests(PostgresAppFactory factory) : DetailCheckTests<PostgresAppFactory>(factory);
public sealed class PostgresErrorResponseTests(PostgresAppFactory factory) : ErrorResponseTests<PostgresAppFactory>(factory);
public sealed class PostgresLocalizedProblemsTests(PostgresAppFactory factory) : LocalizedProblemsTests<PostgresAppFactory>(factory);
public sealed class PostgresNationalIdentifiersTests(PostgresAppFactory factory) : NationalIdentifiersTests<PostgresAppFactory>(factory);
public sealed class PostgresExplanationTests(PostgresAppFactory factory) : ExplanationTests<PostgresAppFactory>(factory);
public sealed class PostgresVoidApiTests(PostgresAppFactory factory) : VoidApiTests<PostgresAppFactory>(factory);
public sealed class PostgresHospitalReconciliationTests(PostgresAppFactory factory) : HospitalReconciliationTests<PostgresAppFactory>(factory);
public sealed class PostgresStayKeyedDetailCheckTests(PostgresAppFactory factory) : StayKeyedDetailCheckTests<PostgresAppFactory>(factory);
public sealed class PostgresHealthTests(PostgresAppFactory factory) : HealthTests<PostgresAppFactory>(factory);
public sealed class PostgresLedgerAndAuditTests(PostgresAppFactory factory) : LedgerAndAuditTests<PostgresAppFactory>(factory);
public sealed class PostgresParameterSetsApiTests(PostgresAppFactory factory) : ParameterSetsApiTests<PostgresAppFactory>(factory);
public sealed class PostgresReconciliationAccessTests(PostgresAppFactory factory) : ReconciliationAccessTests<PostgresAppFactory>(factory);
public sealed class PostgresReconciliationSummaryApiTests(PostgresAppFactory factory) : ReconciliationSummaryApiTests<PostgresAppFactory>(factory);
public sealed class PostgresReconciliationTotalsTests(PostgresAppFactory factory) : ReconciliationTotalsTests<PostgresAppFactory>(factory);
public sealed class PostgresRegistryApiTests(PostgresAppFactory factory) : RegistryApiTests<PostgresAppFactory>(factory);
public sealed class PostgresReversalApiTests(PostgresAppFactory factory) : ReversalApiTests<PostgresAppFactory>(factory);
public sealed class PostgresSettlementsApiTests(PostgresAppFactory factory) : SettlementsApiTests<PostgresAppFactory>(factory);
public sealed class PostgresValidationTests(PostgresAppFactory factory) : ValidationTests<PostgresAppFactory>(factory);
public sealed class PostgresHardeningTests(PostgresAppFactory factory) : HardeningTests<PostgresAppFactory>(factory);
public sealed class PostgresBadInputPropertyTests(PostgresAppFactory factory) : BadInputPropertyTests<PostgresAppFactory>(factory);
public sealed class PostgresReadjudicationApiTests(PostgresAppFactory factory) : ReadjudicationApiTests<PostgresAppFactory>(factory);
public sealed class PostgresPerStayPricingApiTests(PostgresAppFactory factory) : PerStayPricingApiTests<PostgresAppFactory>(factory);
public sealed class PostgresRegistryLifecycleApiTests(PostgresAppFactory factory) : RegistryLifecycleApiTests<PostgresAppFactory>(factory);
public sealed class PostgresRegistryImportTests(PostgresAppFactory factory) : RegistryImportTests<PostgresAppFactory>(factory);
public sealed class PostgresCategoriesApiTests(PostgresAppFactory factory) : CategoriesApiTests<PostgresAppFactory>(factory);
public sealed class PostgresKeyLifecycleTests(PostgresAppFactory factory) : KeyLifecycleTests<PostgresAppFactory>(factory);
public sealed class PostgresAuditEntriesTests(PostgresAppFactory factory) : AuditEntriesTests<PostgresAppFactory>(factory);
public sealed class PostgresAuditSealTests : AuditSealTests<PostgresAppFactory>;

// The suites that adjudicate, again with batching off.
public sealed class UnbatchedPostgresSettlementsApiTests(PostgresUnbatchedAppFactory factory) : SettlementsApiTests<PostgresUnbatchedAppFactory>(factory);
public sealed class UnbatchedPostgresReversalApiTests(PostgresUnbatchedAppFactory factory) : ReversalApiTests<PostgresUnbatchedAppFactory>(factory);
public sealed class UnbatchedPostgresLedgerAndAuditTests(PostgresUnbatchedAppFactory factory) : LedgerAndAuditTests<PostgresUnbatchedAppFactory>(factory);
public sealed class UnbatchedPostgresPerStayPricingApiTests(PostgresUnbatchedAppFactory factory) : PerStayPricingApiTests<PostgresUnbatchedAppFactory>(factory);
public sealed class UnbatchedPostgresHardeningTests(PostgresUnbatchedAppFactory factory) : HardeningTests<PostgresUnbatchedAppFactory>(factory);

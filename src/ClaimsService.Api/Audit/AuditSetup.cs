using ClaimsService.Data.Audit;

namespace ClaimsService.Api.Audit;

/// <summary>The audit read API's stores, the sealer and its options.</summary>
public static class AuditSetup
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AuditEntryStore>();
        services.AddSingleton<AuditSealStore>();
        services.AddSingleton<AuditSealer>();
        services.AddSingleton<AuditVerifier>();
        services.AddHostedService<AuditSealingService>();
        return services;
    }
}

using ClaimsService.Api.Parameters;
using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Infrastructure;

/// <summary>Before the first request: migrations (when configured), reference data on an empty database, the parameter cache.</summary>
internal static partial class DatabaseStartup
{
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var services = app.Services;
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ClaimsService.Startup");
        if (options.MigrateOnStart) Migrator.Run(services.GetRequiredService<SqlDialect>(), options.ConnectionString);

        var cache = services.GetRequiredService<ParameterSetCache>();
        await cache.RefreshAsync(CancellationToken.None, force: true);
        if (options.SeedOnStart && cache.All.Count == 0)
        {
            if (ReferenceData.Locate(options.ReferenceDataPath) is { } folder)
            {
                var count = await services.GetRequiredService<ReferenceData>().SeedAsync(folder, CancellationToken.None);
                LogSeeded(logger, count, folder);
            }
            else LogNoReferenceData(logger);
        }
        LogReady(logger, options.Provider.ToString(), cache.All.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reference data: {Count} parameter sets published from {Folder}")]
    private static partial void LogSeeded(ILogger logger, int count, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database has no parameter set and no deploy/reference-data folder was found")]
    private static partial void LogNoReferenceData(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready on {Provider}: {Count} parameter sets in memory")]
    private static partial void LogReady(ILogger logger, string provider, int count);
}

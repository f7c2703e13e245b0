using ClaimsService.Api.Parameters;
using ClaimsService.Api.Registry;
using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using ClaimsService.Data.Stores;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace ClaimsService.Api.Infrastructure;

/// <summary>
/// The command-line verbs of the same executable (api.md "Command line"). They read the server's
/// configuration, so <c>ConnectionStrings__Claims=… ClaimsService.Api keys create …</c> targets its database.
/// </summary>
public static class Cli
{
    private const string Usage = $"""
        usage: ClaimsService.Api migrate
               ClaimsService.Api keys create --role admin|ops|hospital|insurer|auditor [--hospital CODE] [--region CODE]... [--name TEXT] [--expires yyyy-MM-dd]
               ClaimsService.Api keys list
               ClaimsService.Api keys revoke ID [--reason TEXT]
               ClaimsService.Api seed
               ClaimsService.Api audit seal | audit verify [--from yyyy-MM-dd] [--to yyyy-MM-dd]
               {RegistryImport.Usage}
        """;

    public static bool IsVerb(string[] args) => args is ["migrate", ..] or ["keys", ..] or ["seed", ..] or ["audit", ..] or ["registry", ..] or ["help" or "--help", ..];

    /// <summary>
    /// A verb's stdout is its answer (a script takes the key from its last line), so the console logger writes every
    /// level to stderr. It writes from a queue on its own thread: on stdout, a log line could land after the key.
    /// </summary>
    public static WebApplicationBuilder AddCliLogging(this WebApplicationBuilder builder, string[] args)
    {
        if (IsVerb(args)) builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return builder;
    }

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        // Disposed before the exit, so the logger's queue is written out (to stderr) rather than lost.
        await using var _ = app;
        try
        {
            return await RunVerbAsync(app.Services, args);
        }
        catch (Exception e)
        {
            // api.md "Command line": a failed verb exits non-zero with a one-line reason on stderr.
            var known = e is ArgumentException or InvalidOperationException or DatabaseUnavailableException;
            Console.Error.WriteLine($"error: {OneLine(known ? e.Message : $"{e.GetType().Name}: {e.Message}")}");
            return 1;
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static async Task<int> RunVerbAsync(IServiceProvider services, string[] args)
    {
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var dialect = services.GetRequiredService<SqlDialect>();
        switch (args)
        {
            case ["migrate"]:
                Migrator.Run(dialect, options.ConnectionString, Console.Out);
                Console.WriteLine($"Migrations applied ({dialect.Provider}).");
                return 0;
            case ["seed"]:
                Migrator.Run(dialect, options.ConnectionString);
                var folder = ReferenceData.Locate(options.ReferenceDataPath)
                    ?? throw new InvalidOperationException("No deploy/reference-data folder found; set Database:ReferenceDataPath.");
                var count = await services.GetRequiredService<ReferenceData>().SeedAsync(folder, CancellationToken.None);
                Console.WriteLine($"{count} parameter sets published from {folder}.");
                return 0;
            case ["keys", "create", .. var rest]:
                // Bad options are refused before the database is touched: nothing is written, not even its schema.
                return await CreateKeyAsync(services, rest, () => Migrator.Run(dialect, options.ConnectionString));
            case ["registry", "import", .. var rest]:
                Migrator.Run(dialect, options.ConnectionString);
                return await RegistryImport.RunAsync(services, rest);
            case ["keys", "list"]:
                Migrator.Run(dialect, options.ConnectionString);
                return await KeyVerbs.ListAsync(services, Console.Out);
            case ["keys", "revoke", var id, .. var rest]:
                Migrator.Run(dialect, options.ConnectionString);
                return await KeyVerbs.RevokeAsync(services, id, rest, Console.Out);
            case ["audit", "seal"]:
                Migrator.Run(dialect, options.ConnectionString);
                return await Audit.AuditVerbs.SealAsync(services, Console.Out);
            case ["audit", "verify", .. var rest]:
                Migrator.Run(dialect, options.ConnectionString);
                return await Audit.AuditVerbs.VerifyAsync(services, rest, Console.Out, Console.Error);
            case ["help" or "--help", ..]:
                Console.WriteLine(Usage);
                return 0;
            default:
                Console.Error.WriteLine($"error: unknown command '{string.Join(' ', args)}' (ClaimsService.Api help lists the verbs)");
                return 2;
        }
    }

    private static async Task<int> CreateKeyAsync(IServiceProvider services, string[] args, Action migrate)
    {
        string? role = null, hospital = null, name = null, expires = null;
        var regions = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--role": role = value; break;
                case "--hospital": hospital = value; break;
                case "--region": regions.Add(value); break;
                case "--name": name = value; break;
                case "--expires": expires = value; break;
                default: throw new ArgumentException($"Unknown option {args[i]} (ClaimsService.Api help lists the options).");
            }
            i++;
        }
        if (role is null || !Roles.All.Contains(role)) throw new ArgumentException($"--role must be one of {string.Join(", ", Roles.All)}.");
        if (role == Roles.Hospital && string.IsNullOrWhiteSpace(hospital)) throw new ArgumentException("A hospital key needs --hospital CODE.");
        if (hospital is not null && !Identifiers.IsHospitalCode(hospital))
            throw new ArgumentException($"--hospital is 1 to {Identifiers.HospitalCodeMaxLength} ASCII letters and digits (the platform's 定点医药机构编号).");
        if (name is not null && (name.Length > 100 || !Identifiers.IsPrintableText(name))) throw new ArgumentException("--name is at most 100 printable characters.");
        if (Roles.HasRegions(role) && regions.Count == 0) throw new ArgumentException($"An {role} key needs at least one --region CODE.");
        if (!regions.All(Identifiers.IsRegionCode)) throw new ArgumentException("Regions are 6-digit codes.");

        var time = services.GetRequiredService<TimeProvider>();
        var expiresAt = expires is null ? (DateTime?)null : KeyVerbs.ExpiryOf(expires, time.GetUtcNow().UtcDateTime);

        migrate();
        var (client, key) = await services.GetRequiredService<ApiClientStore>().CreateAsync(
            name ?? $"{role}-{hospital ?? string.Join('+', regions)}".TrimEnd('-'), role, role == Roles.Hospital ? hospital : null,
            Roles.HasRegions(role) ? regions : [], time.UtcNowStored(), CancellationToken.None, expiresAt);
        Console.WriteLine($"Created {client.Role} client '{client.Name}' ({client.Id}). The key is shown once; it is stored hashed.");
        Console.WriteLine(key);
        return 0;
    }
}

using System.Reflection;
using System.Text.RegularExpressions;
using ClaimsService.Data;
using ClaimsService.Data.Dialects;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace ClaimsService.Integration.Tests.SqlServer;

/// <summary>
/// What the service can send to SQL Server, gathered without a server: the provider's migration scripts, every
/// <c>const string …Sql</c> of the data and API assemblies, the SQL Server dialect's own statements, and the
/// dialect's paging applied to every ordered SELECT. Parsed by the SQL Server 2022 grammar (TSql160Parser).
/// </summary>
public static partial class TransactSql
{
    private static readonly Assembly Data = typeof(SqlDialect).Assembly;
    private static readonly SqlServerDialect Dialect = new();

    // Words of other dialects that T-SQL would read as plain identifiers rather than reject.
    private static readonly HashSet<string> ForeignWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "LIMIT", "RETURNING", "ILIKE", "BOOLEAN", "TRUE", "FALSE", "AUTOINCREMENT", "SERIAL", "BIGSERIAL", "TIMESTAMPTZ", "JSONB", "PRAGMA",
    };

    public static IReadOnlyList<(string Name, string Sql)> MigrationScripts() =>
        Data.GetManifestResourceNames()
            .Where(n => n.StartsWith("ClaimsService.Data.Migrations.SqlServer.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var reader = new StreamReader(Data.GetManifestResourceStream(n)!);
                return (n, reader.ReadToEnd());
            })
            .ToList();

    public static IReadOnlyList<(string Name, string Sql)> Statements()
    {
        var constants = new[] { Data, typeof(Program).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => !t.IsGenericTypeDefinition)
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string) && f.Name.EndsWith("Sql", StringComparison.Ordinal))
                .Select(f => (Name: $"{t.FullName}.{f.Name}", Sql: (string)f.GetRawConstantValue()!)))
            .ToList();
        var types = new[] { Data, typeof(Program).Assembly }.SelectMany(a => a.GetTypes()).ToList();
        constants.AddRange(Composed(types));
        var dialect = typeof(SqlServerDialect).GetProperties(BindingFlags.Instance | BindingFlags.Public)
            .Where(p => p.PropertyType == typeof(string) && p.Name.EndsWith("Sql", StringComparison.Ordinal))
            .Select(p => (Name: $"{nameof(SqlServerDialect)}.{p.Name}", Sql: (string)p.GetValue(Dialect)!));
        // Any ordered SELECT may be cut to its first rows by the dialect (FirstRows): that form must parse too.
        var paged = constants.Where(c => EndsWithOrderBy().IsMatch(c.Sql))
            .Select(c => (Name: $"{nameof(SqlServerDialect)}.{nameof(SqlDialect.FirstRows)}({c.Name})", Sql: Dialect.FirstRows(c.Sql)));
        return [.. constants, .. dialect, .. paged];
    }

    /// <summary>
    /// Statements that are not constants: <c>static readonly</c> ones, and those an instance composes from its dialect
    /// when it is built (SettlementStore's settle reads start with the dialect's ledger lock). Each type with such a
    /// field is built here over the SQL Server dialect, so the test sees the very text the service would send; a type
    /// that cannot be built so fails the test rather than going unseen.
    /// </summary>
    private static IEnumerable<(string Name, string Sql)> Composed(IEnumerable<Type> types)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        static bool IsSql(FieldInfo f) => f.FieldType == typeof(string) && !f.IsLiteral && f.Name.EndsWith("Sql", StringComparison.Ordinal);
        ServiceProvider? services = null;
        try
        {
            foreach (var type in types.Where(t => !t.IsGenericTypeDefinition))
            {
                foreach (var field in type.GetFields(BindingFlags.Static | all).Where(IsSql))
                    yield return ($"{type.FullName}.{field.Name}", (string)field.GetValue(null)!);
                var fields = type.GetFields(BindingFlags.Instance | all).Where(IsSql).ToList();
                if (fields.Count == 0) continue;
                services ??= SqlServerServices();
                object instance;
                try { instance = ActivatorUtilities.CreateInstance(services, type); }
                catch (Exception e) { throw new InvalidOperationException($"{type.FullName} composes SQL per instance but cannot be built over the SQL Server dialect here: {e.Message}", e); }
                foreach (var field in fields) yield return ($"{type.FullName}.{field.Name}", (string)field.GetValue(instance)!);
            }
        }
        finally { services?.Dispose(); }
    }

    private static ServiceProvider SqlServerServices()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<SqlDialect>(Dialect);
        services.AddSingleton(Options.Create(new DatabaseOptions
        {
            Provider = DatabaseProvider.SqlServer,
            ConnectionString = "Server=never.contacted;Database=claims",
        }));
        services.AddDatabaseResilience(Dialect);
        services.AddSingleton<Db>();
        return services.BuildServiceProvider();
    }

    /// <summary>Parse errors, and identifiers that are keywords of another dialect, each as "line:column message".</summary>
    public static IReadOnlyList<string> Problems(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var fragment = parser.Parse(new StringReader(sql), out var errors);
        var problems = errors.Select(e => $"{e.Line}:{e.Column} {e.Message}").ToList();
        if (fragment?.ScriptTokenStream is { } tokens)
            problems.AddRange(tokens.Where(t => t.TokenType == TSqlTokenType.Identifier && ForeignWords.Contains(t.Text))
                .Select(t => $"{t.Line}:{t.Column} '{t.Text}' is not T-SQL here"));
        return problems;
    }

    [GeneratedRegex(@"ORDER\s+BY\s[^()]*$", RegexOptions.IgnoreCase)]
    private static partial Regex EndsWithOrderBy();
}

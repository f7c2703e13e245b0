using System.Reflection;
using System.Text.RegularExpressions;
using ClaimsService.Data.Dialects;
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
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string) && f.Name.EndsWith("Sql", StringComparison.Ordinal))
                .Select(f => (Name: $"{t.FullName}.{f.Name}", Sql: (string)f.GetRawConstantValue()!)))
            .ToList();
        var dialect = typeof(SqlServerDialect).GetProperties(BindingFlags.Instance | BindingFlags.Public)
            .Where(p => p.PropertyType == typeof(string) && p.Name.EndsWith("Sql", StringComparison.Ordinal))
            .Select(p => (Name: $"{nameof(SqlServerDialect)}.{p.Name}", Sql: (string)p.GetValue(Dialect)!));
        // Any ordered SELECT may be cut to its first rows by the dialect (FirstRows): that form must parse too.
        var paged = constants.Where(c => EndsWithOrderBy().IsMatch(c.Sql))
            .Select(c => (Name: $"{nameof(SqlServerDialect)}.{nameof(SqlDialect.FirstRows)}({c.Name})", Sql: Dialect.FirstRows(c.Sql)));
        return [.. constants, .. dialect, .. paged];
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

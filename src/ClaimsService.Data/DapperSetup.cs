using System.Data;
using Dapper;

namespace ClaimsService.Data;

/// <summary>Process-wide Dapper settings: snake_case columns onto PascalCase properties, DateOnly on every provider.</summary>
public static class DapperSetup
{
    private static int _done;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
    }

    /// <summary>SQLite keeps dates as ISO text, PostgreSQL and SQL Server as <c>date</c>; rows always see DateOnly.</summary>
    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override DateOnly Parse(object value) => value switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            string s => DateOnly.ParseExact(s.Length > 10 ? s[..10] : s, "yyyy-MM-dd"),
            _ => throw new DataException($"Cannot read a date from {value.GetType().Name}."),
        };

        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            // SQLite stores what it is given: keep the ISO date text, never a midnight timestamp.
            if (parameter is Microsoft.Data.Sqlite.SqliteParameter)
            {
                parameter.Value = value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                return;
            }
            parameter.DbType = DbType.Date;
            parameter.Value = value.ToDateTime(TimeOnly.MinValue);
        }
    }
}

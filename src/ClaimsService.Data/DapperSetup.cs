using System.Data;
using Dapper;

namespace ClaimsService.Data;

/// <summary>Process-wide Dapper settings: snake_case columns onto PascalCase properties, DateOnly and instants on every provider.</summary>
public static class DapperSetup
{
    private static int _done;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        // Dapper's own map would send every DateTime as DbType.DateTime; the handler decides per provider instead.
        SqlMapper.RemoveTypeMap(typeof(DateTime));
        SqlMapper.RemoveTypeMap(typeof(DateTime?));
        SqlMapper.AddTypeHandler(new InstantHandler());
    }

    /// <summary>
    /// Instants. SQL Server keeps them in datetime2(7), but a DbType.DateTime parameter travels as datetime and is
    /// rounded to 1/300 s on the way, so a replay would not return the instant the first answer gave. PostgreSQL
    /// (DbType.DateTime is timestamptz) and SQLite keep Dapper's usual typing.
    /// </summary>
    private sealed class InstantHandler : SqlMapper.TypeHandler<DateTime>
    {
        public override DateTime Parse(object value) => value switch
        {
            DateTime dt => dt,
            string s => DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new DataException($"Cannot read an instant from {value.GetType().Name}."),
        };

        public override void SetValue(IDbDataParameter parameter, DateTime value)
        {
            parameter.DbType = parameter is Microsoft.Data.SqlClient.SqlParameter ? DbType.DateTime2 : DbType.DateTime;
            parameter.Value = value;
        }
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

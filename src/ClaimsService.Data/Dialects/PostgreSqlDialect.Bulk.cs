using System.Data.Common;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace ClaimsService.Data.Dialects;

public sealed partial class PostgreSqlDialect
{
    // Binary COPY inside the caller's transaction: the rows stream to the server in one round trip, no statement per row.
    public override async Task InsertRowsAsync<T>(DbConnection connection, DbTransaction transaction, BulkTable<T> table, IReadOnlyList<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var copy = $"COPY {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)";
        await using var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(copy, ct);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            foreach (var column in table.Columns)
            {
                var value = column.Value(row);
                if (value is null) await importer.WriteNullAsync(ct);
                else await importer.WriteAsync(value, TypeOf(column.Type), ct);
            }
        }
        await importer.CompleteAsync(ct);
    }

    // One UPDATE … FROM unnest(arrays): every row's new values travel as one array parameter a column.
    public override async Task UpdateRowsAsync<T>(DbConnection connection, DbTransaction transaction, BulkTable<T> table, int keys, IReadOnlyList<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var columns = table.Columns;
        var update = $"""
            UPDATE {table.Name} AS t SET {string.Join(", ", columns.Skip(keys).Select(c => $"{c.Name} = u.{c.Name}"))}
            FROM unnest({string.Join(", ", columns.Select((c, i) => $"@a{i}::{ArrayOf(c.Type)}"))}) AS u({string.Join(", ", columns.Select(c => c.Name))})
            WHERE {string.Join(" AND ", columns.Take(keys).Select(c => $"t.{c.Name} = u.{c.Name}"))}
            """;
        var parameters = new DynamicParameters();
        for (var i = 0; i < columns.Count; i++)
            parameters.Add($"a{i}", ArrayValues(columns[i], rows));
        await connection.ExecuteAsync(new CommandDefinition(update, parameters, transaction, cancellationToken: ct));
    }

    /// <summary>
    /// The rows as one INSERT of arrays, for an <see cref="NpgsqlBatch"/> (one parameter a column, one text whatever the count,
    /// prepared once), in their order: ORDER BY the ordinality, so an identity column follows it as one insert after another would.
    /// </summary>
    internal static NpgsqlBatchCommand ArrayInsertCommand<T>(BulkTable<T> table, IReadOnlyList<T> rows)
    {
        var command = new NpgsqlBatchCommand(table.ArrayInsert ??= ArrayInsertOf(table));
        foreach (var column in table.Columns)
            command.Parameters.Add(new NpgsqlParameter { Value = ArrayValues(column, rows), NpgsqlDbType = NpgsqlDbType.Array | TypeOf(column.Type) });
        return command;
    }

    private static string ArrayInsertOf<T>(BulkTable<T> table)
    {
        var names = string.Join(", ", table.Columns.Select(c => c.Name));
        var arrays = string.Join(", ", table.Columns.Select((c, i) => $"${i + 1}::{ArrayOf(c.Type)}"));
        return $"INSERT INTO {table.Name} ({names})\nSELECT {names} FROM unnest({arrays}) WITH ORDINALITY AS u({names}, n)\nORDER BY n";
    }

    private static NpgsqlDbType TypeOf(BulkType type) => type switch
    {
        BulkType.Text => NpgsqlDbType.Text,
        BulkType.Int => NpgsqlDbType.Integer,
        BulkType.BigInt => NpgsqlDbType.Bigint,
        BulkType.Bool => NpgsqlDbType.Boolean,
        BulkType.Instant => NpgsqlDbType.TimestampTz,
        BulkType.Date => NpgsqlDbType.Date,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static string ArrayOf(BulkType type) => type switch
    {
        BulkType.Text => "text[]",
        BulkType.Int => "int[]",
        BulkType.BigInt => "bigint[]",
        BulkType.Bool => "boolean[]",
        BulkType.Instant => "timestamptz[]",
        BulkType.Date => "date[]",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static Array ArrayValues<T>(BulkColumn<T> column, IReadOnlyList<T> rows) => column.Type switch
    {
        BulkType.Text => rows.Select(r => (string?)column.Value(r)).ToArray(),
        BulkType.Int => rows.Select(r => (int?)column.Value(r)).ToArray(),
        BulkType.BigInt => rows.Select(r => (long?)column.Value(r)).ToArray(),
        BulkType.Bool => rows.Select(r => (bool?)column.Value(r)).ToArray(),
        BulkType.Instant => rows.Select(r => (DateTime?)column.Value(r)).ToArray(),
        BulkType.Date => rows.Select(r => (DateOnly?)column.Value(r)).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };
}

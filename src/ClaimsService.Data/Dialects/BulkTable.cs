using System.Data.Common;
using Dapper;

namespace ClaimsService.Data.Dialects;

/// <summary>The column types a bulk write sends (each provider maps them onto its own).</summary>
public enum BulkType { Text, Int, BigInt, Bool, Instant, Date }

/// <summary>One column of a bulk write: its name, its type and how to read it off a row.</summary>
public sealed record BulkColumn<T>(string Name, BulkType Type, Func<T, object?> Value);

/// <summary>The columns of a <see cref="BulkTable{T}"/>, one factory a type (<c>using static</c>).</summary>
public static class Bulk
{
    public static BulkColumn<T> Text<T>(string name, Func<T, string?> value) => new(name, BulkType.Text, value);
    public static BulkColumn<T> Int<T>(string name, Func<T, int?> value) => new(name, BulkType.Int, r => value(r));
    public static BulkColumn<T> BigInt<T>(string name, Func<T, long?> value) => new(name, BulkType.BigInt, r => value(r));
    public static BulkColumn<T> Bool<T>(string name, Func<T, bool> value) => new(name, BulkType.Bool, r => value(r));
    public static BulkColumn<T> Instant<T>(string name, Func<T, DateTime> value) => new(name, BulkType.Instant, r => value(r));
    public static BulkColumn<T> Date<T>(string name, Func<T, DateOnly?> value) => new(name, BulkType.Date, r => value(r));
}

/// <summary>
/// A table as a bulk write sees it: its name and the columns written, each read off a row of <typeparamref name="T"/>.
/// <see cref="SqlDialect.InsertRowsAsync{T}"/> appends rows; <see cref="SqlDialect.UpdateRowsAsync{T}"/> sets columns by key.
/// </summary>
public sealed class BulkTable<T>(string name, params BulkColumn<T>[] columns)
{
    public string Name => name;
    private string? _insert;

    /// <summary>A provider's own INSERT of the table (PostgreSQL: over arrays), built once.</summary>
    internal string? ArrayInsert { get; set; }

    public IReadOnlyList<BulkColumn<T>> Columns => columns;

    /// <summary>One row's INSERT (the generic path): a parameter per column, named after it.</summary>
    internal string InsertStatement => _insert ??= $"INSERT INTO {name} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ({string.Join(", ", columns.Select(c => "@" + c.Name))})";

    /// <summary>One row's UPDATE (the generic path): the first <paramref name="keys"/> columns are the key, the rest are set.</summary>
    internal string UpdateStatement(int keys) =>
        $"UPDATE {name} SET {string.Join(", ", columns.Skip(keys).Select(c => $"{c.Name} = @{c.Name}"))} WHERE {string.Join(" AND ", columns.Take(keys).Select(c => $"{c.Name} = @{c.Name}"))}";

    internal DynamicParameters Parameters(T row)
    {
        var parameters = new DynamicParameters();
        foreach (var column in columns) parameters.Add(column.Name, column.Value(row));
        return parameters;
    }
}

public abstract partial class SqlDialect
{
    /// <summary>
    /// Appends <paramref name="rows"/> to the table inside the caller's transaction, the fastest way the provider has
    /// (PostgreSQL: binary COPY). Here: one prepared INSERT, its parameters set again for each row (Dapper's list execution).
    /// </summary>
    public virtual async Task InsertRowsAsync<T>(DbConnection connection, DbTransaction transaction, BulkTable<T> table, IReadOnlyList<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await connection.ExecuteAsync(new CommandDefinition(table.InsertStatement, rows.Select(table.Parameters), transaction, cancellationToken: ct));
    }

    /// <summary>
    /// Sets columns of existing rows by key inside the caller's transaction: the first <paramref name="keys"/> columns of the
    /// table are the key. Here: one prepared UPDATE per row; PostgreSQL: one statement over arrays.
    /// </summary>
    public virtual async Task UpdateRowsAsync<T>(DbConnection connection, DbTransaction transaction, BulkTable<T> table, int keys, IReadOnlyList<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await connection.ExecuteAsync(new CommandDefinition(table.UpdateStatement(keys), rows.Select(table.Parameters), transaction, cancellationToken: ct));
    }
}

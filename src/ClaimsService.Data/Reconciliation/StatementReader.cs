using System.Data.Common;

namespace ClaimsService.Data.Reconciliation;

/// <summary>One line of a statement. Amounts in fen. One instance is reused for every row a reader reads.</summary>
public sealed class StatementLine
{
    public string AdjudicationId { get; internal set; } = "";
    public string Kind { get; internal set; } = "";
    public string HospitalCode { get; internal set; } = "";
    public string SettlementId { get; internal set; } = "";
    public string RegionCode { get; internal set; } = "";
    public string InsuredId { get; internal set; } = "";
    public int PolicyYear { get; internal set; }
    public string Category { get; internal set; } = "";
    public string ParameterSetId { get; internal set; } = "";
    public int ParameterSetVersion { get; internal set; }
    public long EligibleAmountFen { get; internal set; }
    public long PayoutFen { get; internal set; }
    /// <summary>Reversal: the settlement reversed. Adjustment: the reversal that caused it.</summary>
    public string? RelatedAdjudicationId { get; internal set; }
    public DateTime AdjudicatedAt { get; internal set; }
    public DateOnly BusinessDate { get; internal set; }
    /// <summary>Adjustment: the re-adjudication run that wrote it.</summary>
    public string? RunId { get; internal set; }
    /// <summary>The national platform's 结算ID, 人员编号 and 就诊ID of the stay, when the hospital sent them.</summary>
    public string? SetlId { get; internal set; }
    public string? PsnNo { get; internal set; }
    public string? MdtrtId { get; internal set; }
}

/// <summary>
/// The rows of a statement, read one at a time off an open reader (see <see cref="ReconciliationStore.OpenStatementAsync"/>).
/// Owns its connection: dispose it.
/// </summary>
public sealed class StatementReader : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbDataReader _reader;

    internal StatementReader(DbConnection connection, DbDataReader reader) => (_connection, _reader) = (connection, reader);

    /// <summary>The row last read; overwritten by the next <see cref="ReadAsync"/>.</summary>
    public StatementLine Current { get; } = new();

    public async ValueTask<bool> ReadAsync(CancellationToken ct)
    {
        if (!await _reader.ReadAsync(ct)) return false;
        // Columns in SELECT order, each read once (SequentialAccess).
        var r = _reader;
        var line = Current;
        line.AdjudicationId = r.GetString(0);
        line.Kind = r.GetString(1);
        line.HospitalCode = r.GetString(2);
        line.SettlementId = r.GetString(3);
        line.RegionCode = r.GetString(4);
        line.InsuredId = r.GetString(5);
        line.PolicyYear = r.GetInt32(6);
        line.Category = r.GetString(7);
        line.ParameterSetId = r.GetString(8);
        line.ParameterSetVersion = r.GetInt32(9);
        line.EligibleAmountFen = r.GetInt64(10);
        line.PayoutFen = r.GetInt64(11);
        line.RelatedAdjudicationId = r.IsDBNull(12) ? null : r.GetString(12);
        // Instants are stored in UTC; SQLite and SQL Server hand them back unspecified.
        line.AdjudicatedAt = DateTime.SpecifyKind(r.GetDateTime(13), DateTimeKind.Utc);
        line.BusinessDate = r.GetFieldValue<DateOnly>(14);
        line.RunId = r.IsDBNull(15) ? null : r.GetString(15);
        line.SetlId = r.IsDBNull(16) ? null : r.GetString(16);
        line.PsnNo = r.IsDBNull(17) ? null : r.GetString(17);
        line.MdtrtId = r.IsDBNull(18) ? null : r.GetString(18);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>The id and payout of each adjudication of a period, one at a time. Owns its connection: dispose it.</summary>
public sealed class PayoutReader : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbDataReader _reader;

    internal PayoutReader(DbConnection connection, DbDataReader reader) => (_connection, _reader) = (connection, reader);

    public string AdjudicationId { get; private set; } = "";
    public long PayoutFen { get; private set; }
    public string HospitalCode { get; private set; } = "";
    public string SettlementId { get; private set; } = "";
    /// <summary>The national 结算ID of the stay, when the hospital sent it.</summary>
    public string? SetlId { get; private set; }

    public async ValueTask<bool> ReadAsync(CancellationToken ct)
    {
        if (!await _reader.ReadAsync(ct)) return false;
        AdjudicationId = _reader.GetString(0);
        PayoutFen = _reader.GetInt64(1);
        HospitalCode = _reader.GetString(2);
        SettlementId = _reader.GetString(3);
        SetlId = _reader.IsDBNull(4) ? null : _reader.GetString(4);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

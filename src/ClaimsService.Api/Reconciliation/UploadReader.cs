using ClaimsService.Domain;
using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace ClaimsService.Api.Reconciliation;

public enum UploadFormat
{
    Csv,
    Ndjson,
}

/// <summary>What the upload's rows go to.</summary>
internal interface IUploadSink
{
    /// <summary>A well-formed data row.</summary>
    void Row(Guid adjudicationId, long payoutFen, long line);

    /// <summary>A well-formed data row keyed by stay (setlId, or hospitalCode + settlementId).</summary>
    void StayRow(StayKey key, long payoutFen, long line);

    /// <summary>A line that could not be read; the check goes on with the next one.</summary>
    void Malformed(long line, string reason);
}

/// <summary>
/// Reads the insurer's upload line by line straight off the request body pipe, holding at most one line
/// (<see cref="MaxLineBytes"/>) beyond the pipe's own buffers; no string is made per row. Lines are numbered from 1
/// (a CSV header is line 1). Blank lines are skipped; so are CSV lines starting with <c>#</c> and NDJSON objects with
/// a <c>trailer</c> property, so the service's own statement can be uploaded as it is. A UTF-8 byte order mark is ignored.
/// </summary>
internal sealed class UploadReader(UploadFormat format, IUploadSink sink, UploadKey key = UploadKey.AdjudicationId, string? ownHospital = null)
{
    public const int MaxLineBytes = 64 * 1024;
    private const int MaxIdBytes = 64;

    private readonly byte[] _line = new byte[MaxLineBytes];
    private readonly byte[] _id = new byte[MaxIdBytes];
    private readonly byte[] _hospital = new byte[MaxIdBytes];
    private long _number;
    private bool _headerRead;
    private int _idColumn = -1;
    private int _hospitalColumn = -1;
    private int _payoutColumn = -1;
    private int _columns;

    /// <summary>
    /// What an upload is keyed by, from its first line (left unread): a CSV header or the first NDJSON object naming
    /// adjudicationId, else setlId, else settlementId (with hospitalCode, which a hospital's own upload may leave out).
    /// </summary>
    public static async Task<UploadKey> PeekKeyAsync(PipeReader body, UploadFormat format, CancellationToken ct)
    {
        while (true)
        {
            var result = await body.ReadAsync(ct);
            var buffer = result.Buffer;
            var end = buffer.PositionOf((byte)'\n');
            if (end is null && !result.IsCompleted && buffer.Length <= MaxLineBytes)
            {
                body.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            var first = end is { } e ? buffer.Slice(0, e) : buffer;
            var text = first.Length > MaxLineBytes ? [] : first.ToArray();
            body.AdvanceTo(buffer.Start);
            bool Names(string name) => format == UploadFormat.Csv
                ? Encoding.UTF8.GetString(text).Split(',').Any(f => f.Trim().Trim('"').Equals(name, StringComparison.OrdinalIgnoreCase))
                : text.AsSpan().IndexOf(Encoding.UTF8.GetBytes($"\"{name}\"")) >= 0;
            return Names("adjudicationId") ? UploadKey.AdjudicationId : Names("setlId") ? UploadKey.SetlId
                : Names("settlementId") ? UploadKey.Settlement : UploadKey.AdjudicationId;
        }
    }

    private ReadOnlySpan<byte> KeyName => key switch
    {
        UploadKey.SetlId => "setlId"u8,
        UploadKey.Settlement => "settlementId"u8,
        _ => "adjudicationId"u8,
    };

    /// <summary>Why the upload cannot be checked at all (a CSV header without the columns); null when it could be read.</summary>
    public string? Error { get; private set; }

    /// <summary>Reads the whole body; false when <see cref="Error"/> stopped it.</summary>
    public async Task<bool> ReadAsync(PipeReader body, CancellationToken ct)
    {
        var skipping = false; // inside an over-long line already reported
        while (true)
        {
            var result = await body.ReadAsync(ct);
            var buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end);
                buffer = buffer.Slice(buffer.GetPosition(1, end));
                if (skipping) skipping = false;
                else if (!Line(line)) break;
            }
            if (Error is null && result.IsCompleted && !buffer.IsEmpty && !skipping) Line(buffer);
            if (Error is not null || result.IsCompleted)
            {
                body.AdvanceTo(buffer.End);
                return Error is null;
            }
            if (buffer.Length > MaxLineBytes)
            {
                if (!skipping) sink.Malformed(++_number, $"Longer than {MaxLineBytes} bytes.");
                skipping = true;
                buffer = buffer.Slice(buffer.End);
            }
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private bool Line(ReadOnlySequence<byte> sequence)
    {
        _number++;
        if (sequence.Length > MaxLineBytes)
        {
            sink.Malformed(_number, $"Longer than {MaxLineBytes} bytes.");
            return true;
        }
        ReadOnlySpan<byte> line;
        if (sequence.IsSingleSegment) line = sequence.FirstSpan;
        else
        {
            sequence.CopyTo(_line);
            line = _line.AsSpan(0, (int)sequence.Length);
        }
        if (_number == 1 && line.StartsWith("\uFEFF"u8)) line = line[3..];
        line = line.TrimEnd((byte)'\r').Trim((byte)' ');
        if (line.IsEmpty) return true;
        if (format == UploadFormat.Ndjson) JsonLine(line);
        else if (line[0] == '#') return true;
        else if (!_headerRead) return Header(line);
        else CsvLine(line);
        return true;
    }

    private bool Header(ReadOnlySpan<byte> line)
    {
        _headerRead = true;
        Span<Range> fields = stackalloc Range[64];
        var count = SplitCsv(line, fields, out var error);
        if (error is null)
            for (var i = 0; i < Math.Min(count, fields.Length); i++)
            {
                var name = line[fields[i]].Trim((byte)' ');
                if (Ascii.EqualsIgnoreCase(name, KeyName)) _idColumn = i;
                else if (Ascii.EqualsIgnoreCase(name, "payout"u8)) _payoutColumn = i;
                else if (key == UploadKey.Settlement && Ascii.EqualsIgnoreCase(name, "hospitalCode"u8)) _hospitalColumn = i;
            }
        if (key == UploadKey.Settlement && _hospitalColumn < 0 && ownHospital is null)
        {
            Error = "An upload keyed by settlementId names hospitalCode too (a hospital's own upload may leave it out).";
            return false;
        }
        if (_idColumn < 0 || _payoutColumn < 0)
        {
            Error = $"The first line of a CSV upload is a header naming the columns {Encoding.ASCII.GetString(KeyName)} and payout (in any order, among "
                + $"others, within the first {fields.Length}).";
            return false;
        }
        _columns = Math.Max(Math.Max(_idColumn, _payoutColumn), _hospitalColumn) + 1;
        return true;
    }

    private void CsvLine(ReadOnlySpan<byte> line)
    {
        Span<Range> fields = stackalloc Range[64];
        var count = SplitCsv(line, fields, out var error);
        if (error is not null) sink.Malformed(_number, error);
        else if (count < _columns) sink.Malformed(_number, $"{count} fields; the header has adjudicationId and payout in the first {_columns}.");
        else Row(line[fields[_idColumn]], line[fields[_payoutColumn]], _hospitalColumn < 0 ? default : line[fields[_hospitalColumn]], _hospitalColumn >= 0);
    }

    private void JsonLine(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> id = default;
        ReadOnlySpan<byte> payout = default;
        ReadOnlySpan<byte> hospital = default;
        bool hasId = false, hasPayout = false, hasHospital = false, trailer = false;
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                sink.Malformed(_number, "Not a JSON object.");
                return;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(KeyName))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxIdBytes)
                    {
                        sink.Malformed(_number, key == UploadKey.AdjudicationId ? "adjudicationId is not a UUID string."
                            : $"{Encoding.ASCII.GetString(KeyName)} is not a string of at most {MaxIdBytes} bytes.");
                        return;
                    }
                    id = reader.ValueIsEscaped ? _id.AsSpan(0, reader.CopyString(_id)) : reader.ValueSpan;
                    hasId = true;
                }
                else if (key == UploadKey.Settlement && reader.ValueTextEquals("hospitalCode"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxIdBytes)
                    {
                        sink.Malformed(_number, "hospitalCode is not a string.");
                        return;
                    }
                    hospital = reader.ValueIsEscaped ? _hospital.AsSpan(0, reader.CopyString(_hospital)) : reader.ValueSpan;
                    hasHospital = true;
                }
                else if (reader.ValueTextEquals("payout"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number)
                    {
                        sink.Malformed(_number, "payout is not a JSON number.");
                        return;
                    }
                    payout = reader.ValueSpan;
                    hasPayout = true;
                }
                else
                {
                    trailer |= reader.ValueTextEquals("trailer"u8);
                    reader.Read();
                    reader.Skip();
                }
            }
            while (reader.Read()) { } // anything after the object is an error (a single JSON value per line)
        }
        catch (JsonException e)
        {
            sink.Malformed(_number, $"Not valid JSON (byte {e.BytePositionInLine}).");
            return;
        }
        if (trailer && !hasId) return;
        if (!hasId || !hasPayout) sink.Malformed(_number, hasId ? "payout is missing." : $"{Encoding.ASCII.GetString(KeyName)} is missing.");
        else Row(id, payout, hospital, hasHospital);
    }

    private void Row(ReadOnlySpan<byte> id, ReadOnlySpan<byte> payout, ReadOnlySpan<byte> hospital, bool hasHospital)
    {
        id = id.Trim((byte)' ');
        if (key != UploadKey.AdjudicationId)
        {
            StayRow(id, payout, hospital.Trim((byte)' '), hasHospital);
            return;
        }
        if (!Utf8Parser.TryParse(id, out Guid adjudicationId, out var used, 'D') || used != id.Length)
            sink.Malformed(_number, "adjudicationId is not a UUID.");
        else if (!Fen.TryParse(payout, out var fen))
            sink.Malformed(_number, "payout is not an amount with at most two decimals.");
        else sink.Row(adjudicationId, fen, _number);
    }

    private void StayRow(ReadOnlySpan<byte> id, ReadOnlySpan<byte> payout, ReadOnlySpan<byte> hospital, bool hasHospital)
    {
        var name = Encoding.ASCII.GetString(KeyName);
        if (id.IsEmpty || id.Length > MaxIdBytes || !Ascii.IsValid(id)) sink.Malformed(_number, $"{name} is not 1 to {MaxIdBytes} ASCII characters.");
        else if (key == UploadKey.Settlement && (hasHospital ? hospital.IsEmpty || !Ascii.IsValid(hospital) : ownHospital is null))
            sink.Malformed(_number, "hospitalCode is missing or not ASCII.");
        else if (!Fen.TryParse(payout, out var fen)) sink.Malformed(_number, "payout is not an amount with at most two decimals.");
        else
        {
            // A hospital reconciles its own settlements: a row of another hospital's code cannot match, and says so as missing.
            var stay = key == UploadKey.SetlId ? new StayKey(null, Encoding.ASCII.GetString(id))
                : new StayKey(hasHospital ? Encoding.ASCII.GetString(hospital) : ownHospital, Encoding.ASCII.GetString(id));
            sink.StayRow(stay, fen, _number);
        }
    }

    /// <summary>Splits an RFC 4180 line into field ranges (quotes excluded; doubled quotes left as they are).</summary>
    private static int SplitCsv(ReadOnlySpan<byte> line, Span<Range> fields, out string? error)
    {
        error = null;
        var count = 0;
        var pos = 0;
        while (true)
        {
            int start, end;
            if (pos < line.Length && line[pos] == '"')
            {
                var i = pos + 1;
                while (true)
                {
                    var q = line[i..].IndexOf((byte)'"');
                    if (q < 0)
                    {
                        error = "A quoted field is not closed.";
                        return count;
                    }
                    i += q;
                    if (i + 1 < line.Length && line[i + 1] == '"') i += 2;
                    else break;
                }
                (start, end, pos) = (pos + 1, i, i + 1);
                if (pos < line.Length && line[pos] != ',')
                {
                    error = "A quoted field is followed by something other than a comma.";
                    return count;
                }
            }
            else
            {
                var comma = line[pos..].IndexOf((byte)',');
                (start, end) = (pos, comma < 0 ? line.Length : pos + comma);
                pos = end;
            }
            // Only the leading fields matter: later ones are counted, not kept.
            if (count < fields.Length) fields[count] = new Range(start, end);
            count++;
            if (pos >= line.Length) return count;
            pos++;
        }
    }
}

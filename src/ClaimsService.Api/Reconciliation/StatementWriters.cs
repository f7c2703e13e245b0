using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using ClaimsService.Data.Reconciliation;

namespace ClaimsService.Api.Reconciliation;

/// <summary>
/// Writes statement lines into the response pipe as they are read from the database. Nothing is flushed here: the
/// caller flushes once <see cref="Pending"/> passes its threshold, so writes go out in large chunks and the pipe's
/// back-pressure (a slow client) slows the database read instead of filling memory.
/// </summary>
internal abstract class StatementWriter(PipeWriter pipe)
{
    protected PipeWriter Pipe { get; } = pipe;

    /// <summary>Bytes written since the last <see cref="Flushed"/>.</summary>
    public long Pending { get; protected set; }

    public void Flushed() => Pending = 0;

    public abstract string ContentType { get; }

    public abstract string Extension { get; }

    public abstract void WriteHeader();

    public abstract void Write(StatementLine line);

    public abstract void WriteTrailer(long rows, long payoutFen);

    public static StatementWriter For(StatementFormat format, PipeWriter pipe) =>
        format == StatementFormat.Csv ? new CsvStatementWriter(pipe) : new NdjsonStatementWriter(pipe);

    /// <summary>ISO 8601 UTC as System.Text.Json writes it elsewhere in the API: fraction digits only as needed.</summary>
    protected static int FormatInstant(DateTime utc, Span<byte> destination)
    {
        utc.TryFormat(destination, out var n, "O", CultureInfo.InvariantCulture); // yyyy-MM-ddTHH:mm:ss.fffffffZ
        var end = n - 1; // before the Z
        while (end > 20 && destination[end - 1] == '0') end--;
        if (end == 20) end = 19; // no fraction: drop the point too
        destination[end] = (byte)'Z';
        return end + 1;
    }

    protected static int FormatDate(DateOnly date, Span<byte> destination)
    {
        date.TryFormat(destination, out var n, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return n;
    }
}

public enum StatementFormat
{
    Csv,
    Ndjson,
}

/// <summary>
/// RFC 4180 CSV, UTF-8, a header line, then one line per adjudication, then <c>#trailer,rows=N,payout=X</c>.
/// Text fields are quoted only when they hold a comma, a quote or a line break.
/// </summary>
internal sealed class CsvStatementWriter(PipeWriter pipe) : StatementWriter(pipe)
{
    public const string Header = "adjudicationId,kind,hospitalCode,settlementId,regionCode,insuredId,policyYear,category,"
        + "parameterSetId,parameterSetVersion,eligibleAmount,payout,relatedAdjudicationId,adjudicatedAt,businessDate";

    public override string ContentType => "text/csv; charset=utf-8";

    public override string Extension => "csv";

    public override void WriteHeader() => WriteAscii(Header + "\n");

    public override void Write(StatementLine l)
    {
        // Generous upper bound: every text field quoted, each character 3 bytes and doubled, plus numbers and dates.
        var bound = 256 + 6 * (l.AdjudicationId.Length + l.Kind.Length + l.HospitalCode.Length + l.SettlementId.Length + l.RegionCode.Length
            + l.InsuredId.Length + l.Category.Length + l.ParameterSetId.Length + (l.RelatedAdjudicationId?.Length ?? 0) + 10);
        var span = Pipe.GetSpan(bound);
        var n = 0;
        n += Text(l.AdjudicationId, span[n..]); span[n++] = (byte)',';
        n += Text(l.Kind, span[n..]); span[n++] = (byte)',';
        n += Text(l.HospitalCode, span[n..]); span[n++] = (byte)',';
        n += Text(l.SettlementId, span[n..]); span[n++] = (byte)',';
        n += Text(l.RegionCode, span[n..]); span[n++] = (byte)',';
        n += Text(l.InsuredId, span[n..]); span[n++] = (byte)',';
        n += Number(l.PolicyYear, span[n..]); span[n++] = (byte)',';
        n += Text(l.Category, span[n..]); span[n++] = (byte)',';
        n += Text(l.ParameterSetId, span[n..]); span[n++] = (byte)',';
        n += Number(l.ParameterSetVersion, span[n..]); span[n++] = (byte)',';
        n += Fen.Format(l.EligibleAmountFen, span[n..]); span[n++] = (byte)',';
        n += Fen.Format(l.PayoutFen, span[n..]); span[n++] = (byte)',';
        if (l.RelatedAdjudicationId is { } related) n += Text(related, span[n..]);
        span[n++] = (byte)',';
        n += FormatInstant(l.AdjudicatedAt, span[n..]); span[n++] = (byte)',';
        n += FormatDate(l.BusinessDate, span[n..]);
        span[n++] = (byte)'\n';
        Pipe.Advance(n);
        Pending += n;
    }

    public override void WriteTrailer(long rows, long payoutFen)
    {
        Span<byte> payout = stackalloc byte[32];
        var p = Fen.Format(payoutFen, payout);
        WriteAscii(string.Create(CultureInfo.InvariantCulture, $"#trailer,rows={rows},payout={Encoding.ASCII.GetString(payout[..p])}\n"));
    }

    private void WriteAscii(string text)
    {
        var n = Encoding.UTF8.GetBytes(text, Pipe.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        Pipe.Advance(n);
        Pending += n;
    }

    private static int Number(int value, Span<byte> destination)
    {
        value.TryFormat(destination, out var n, default, CultureInfo.InvariantCulture);
        return n;
    }

    private static int Text(string value, Span<byte> destination)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) return Encoding.UTF8.GetBytes(value, destination);
        var n = 0;
        destination[n++] = (byte)'"';
        n += Encoding.UTF8.GetBytes(value.Replace("\"", "\"\"", StringComparison.Ordinal), destination[n..]);
        destination[n++] = (byte)'"';
        return n;
    }
}

/// <summary>
/// NDJSON (application/x-ndjson): one JSON object per line with the statement's camelCase fields, amounts as numbers
/// with two decimals, <c>relatedAdjudicationId</c> omitted when there is none; the last line is
/// <c>{"trailer":{"rows":N,"payout":X}}</c>.
/// </summary>
internal sealed class NdjsonStatementWriter : StatementWriter
{
    private static readonly JsonEncodedText AdjudicationId = JsonEncodedText.Encode("adjudicationId");
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText HospitalCode = JsonEncodedText.Encode("hospitalCode");
    private static readonly JsonEncodedText SettlementId = JsonEncodedText.Encode("settlementId");
    private static readonly JsonEncodedText RegionCode = JsonEncodedText.Encode("regionCode");
    private static readonly JsonEncodedText InsuredId = JsonEncodedText.Encode("insuredId");
    private static readonly JsonEncodedText PolicyYear = JsonEncodedText.Encode("policyYear");
    private static readonly JsonEncodedText Category = JsonEncodedText.Encode("category");
    private static readonly JsonEncodedText ParameterSetId = JsonEncodedText.Encode("parameterSetId");
    private static readonly JsonEncodedText ParameterSetVersion = JsonEncodedText.Encode("parameterSetVersion");
    private static readonly JsonEncodedText EligibleAmount = JsonEncodedText.Encode("eligibleAmount");
    private static readonly JsonEncodedText Payout = JsonEncodedText.Encode("payout");
    private static readonly JsonEncodedText RelatedAdjudicationId = JsonEncodedText.Encode("relatedAdjudicationId");
    private static readonly JsonEncodedText AdjudicatedAt = JsonEncodedText.Encode("adjudicatedAt");
    private static readonly JsonEncodedText BusinessDate = JsonEncodedText.Encode("businessDate");
    private static readonly JsonEncodedText Trailer = JsonEncodedText.Encode("trailer");
    private static readonly JsonEncodedText Rows = JsonEncodedText.Encode("rows");

    private readonly Utf8JsonWriter _json;

    public NdjsonStatementWriter(PipeWriter pipe) : base(pipe) =>
        // One top-level object per line: validation would insist on a single root.
        _json = new Utf8JsonWriter(pipe, new JsonWriterOptions { SkipValidation = true });

    public override string ContentType => "application/x-ndjson";

    public override string Extension => "ndjson";

    public override void WriteHeader() { }

    public override void Write(StatementLine l)
    {
        Span<byte> scratch = stackalloc byte[40];
        var w = _json;
        w.WriteStartObject();
        w.WriteString(AdjudicationId, l.AdjudicationId);
        w.WriteString(Kind, l.Kind);
        w.WriteString(HospitalCode, l.HospitalCode);
        w.WriteString(SettlementId, l.SettlementId);
        w.WriteString(RegionCode, l.RegionCode);
        w.WriteString(InsuredId, l.InsuredId);
        w.WriteNumber(PolicyYear, l.PolicyYear);
        w.WriteString(Category, l.Category);
        w.WriteString(ParameterSetId, l.ParameterSetId);
        w.WriteNumber(ParameterSetVersion, l.ParameterSetVersion);
        w.WriteNumber(EligibleAmount, Fen.ToDecimal(l.EligibleAmountFen));
        w.WriteNumber(Payout, Fen.ToDecimal(l.PayoutFen));
        if (l.RelatedAdjudicationId is { } related) w.WriteString(RelatedAdjudicationId, related);
        w.WriteString(AdjudicatedAt, scratch[..FormatInstant(l.AdjudicatedAt, scratch)]);
        w.WriteString(BusinessDate, scratch[..FormatDate(l.BusinessDate, scratch)]);
        w.WriteEndObject();
        EndLine();
    }

    public override void WriteTrailer(long rows, long payoutFen)
    {
        _json.WriteStartObject();
        _json.WriteStartObject(Trailer);
        _json.WriteNumber(Rows, rows);
        _json.WriteNumber(Payout, Fen.ToDecimal(payoutFen));
        _json.WriteEndObject();
        _json.WriteEndObject();
        EndLine();
    }

    private void EndLine()
    {
        _json.Flush(); // hands the bytes to the pipe (Advance); no I/O
        Pending += _json.BytesCommitted + 1;
        Pipe.Write("\n"u8);
        _json.Reset(); // the next object starts a new root, without a separating comma
    }
}

using ClaimsService.Domain;
using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Reconciliation;
using Microsoft.AspNetCore.Http.Metadata;

namespace ClaimsService.Api.Reconciliation;

/// <summary>
/// Compares an insurer's rows (adjudicationId, payout) with the service's adjudications of a region and period.
/// </summary>
/// <remarks>
/// Memory design, for uploads of a million rows and more. The upload arrives in any order, so a sort-merge against
/// the ordered statement would first have to sort (hold or spill) the whole upload. Instead the service's side, which
/// the period bounds, is held as a compact index: UUID → (payout in fen, line first matched), about 44 bytes a row
/// (≈ 45 MB for 1 000 000 rows), sized exactly from a COUNT so it never grows by doubling. The upload is then streamed
/// through once, each row looked up and marked; what stays unmarked is missing in the insurer's file, reported in
/// statement order (the index keeps insertion order). Differences found during the upload are not held in memory but
/// spilled to a temporary file (see <see cref="DifferenceSpill"/>). No database connection is held while the upload
/// is read.
/// </remarks>
internal sealed class DetailCheck : IUploadSink, IAsyncDisposable
{
    /// <summary>The index's bound: ~220 MB at 5 000 000 rows. Larger periods are checked in parts.</summary>
    public const long MaxServiceRows = 5_000_000;

    private struct Entry
    {
        public long PayoutFen;
        /// <summary>The upload line that matched it; 0 while unmatched.</summary>
        public int Line;
    }

    private readonly Dictionary<Guid, Entry> _service;
    // Keyed by stay instead (setlId, or hospitalCode + settlementId): each stay's net payout in the period.
    private readonly Dictionary<StayKey, Entry> _stays;
    private readonly DifferenceSpill _spill = new();
    private long _insurerRows, _matched, _missingInService, _amountMismatch, _duplicates, _malformed;

    private DetailCheck(UploadKey key, int capacity)
    {
        Key = key;
        _service = new Dictionary<Guid, Entry>(key == UploadKey.AdjudicationId ? capacity : 0);
        _stays = new Dictionary<StayKey, Entry>(key == UploadKey.AdjudicationId ? 0 : capacity);
    }

    /// <summary>What the upload's rows are keyed by (its first line decides, <see cref="UploadReader.PeekKeyAsync"/>).</summary>
    public UploadKey Key { get; }

    /// <summary>Loads the service's side in statement order: every adjudication id and payout, or each stay's net payout.</summary>
    public static async Task<DetailCheck> LoadAsync(ReconciliationStore store, ReconciliationScope scope, DateOnly from, DateOnly to, long count,
        CancellationToken ct, UploadKey key = UploadKey.AdjudicationId)
    {
        var check = new DetailCheck(key, (int)count);
        await using var rows = await store.OpenPayoutsAsync(scope, from, to, ct);
        while (await rows.ReadAsync(ct))
        {
            if (key != UploadKey.AdjudicationId)
            {
                // A stay is its settlement, reversal and adjustments together; rows without a national setlId have no such key.
                if (key == UploadKey.SetlId && rows.SetlId is null) continue;
                var stay = key == UploadKey.SetlId ? new StayKey(null, rows.SetlId!) : new StayKey(rows.HospitalCode, rows.SettlementId);
                ref var net = ref CollectionsMarshal.GetValueRefOrAddDefault(check._stays, stay, out _);
                net.PayoutFen += rows.PayoutFen;
                continue;
            }
            // Ids are made by the service (UUID v7); anything else in the table is a defect worth stopping for.
            var id = Guid.TryParse(rows.AdjudicationId, out var g) ? g : throw new InvalidOperationException("An adjudication id is not a UUID.");
            check._service[id] = new Entry { PayoutFen = rows.PayoutFen };
        }
        return check;
    }

    public long ServiceRows => Key == UploadKey.AdjudicationId ? _service.Count : _stays.Count;

    public void StayRow(StayKey key, long payoutFen, long line)
    {
        _insurerRows++;
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_stays, key);
        if (Unsafe.IsNullRef(ref entry))
        {
            _missingInService++;
            _spill.Write(DifferenceSpill.MissingInService, key, null, payoutFen, line);
        }
        else if (entry.Line != 0)
        {
            _duplicates++;
            _spill.Write(DifferenceSpill.DuplicateInInsurer, key, entry.PayoutFen, payoutFen, line, firstLine: entry.Line);
        }
        else
        {
            entry.Line = (int)Math.Min(line, int.MaxValue);
            if (entry.PayoutFen == payoutFen) _matched++;
            else
            {
                _amountMismatch++;
                _spill.Write(DifferenceSpill.AmountMismatch, key, entry.PayoutFen, payoutFen, line);
            }
        }
    }

    public void Row(Guid adjudicationId, long payoutFen, long line)
    {
        _insurerRows++;
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_service, adjudicationId);
        if (Unsafe.IsNullRef(ref entry))
        {
            _missingInService++;
            _spill.Write(DifferenceSpill.MissingInService, adjudicationId, null, payoutFen, line);
        }
        else if (entry.Line != 0)
        {
            _duplicates++;
            _spill.Write(DifferenceSpill.DuplicateInInsurer, adjudicationId, entry.PayoutFen, payoutFen, line, firstLine: entry.Line);
        }
        else
        {
            entry.Line = (int)Math.Min(line, int.MaxValue);
            if (entry.PayoutFen == payoutFen) _matched++;
            else
            {
                _amountMismatch++;
                _spill.Write(DifferenceSpill.AmountMismatch, adjudicationId, entry.PayoutFen, payoutFen, line);
            }
        }
    }

    public void Malformed(long line, string reason)
    {
        _malformed++;
        _spill.WriteMalformed(line, reason);
    }

    /// <summary>
    /// Writes the answer: the differences found while reading the upload, then the service rows no upload row
    /// matched, then the summary. Returns the summary.
    /// </summary>
    public async Task<DetailCheckSummary> WriteAnswerAsync(PipeWriter pipe, CancellationToken ct)
    {
        await _spill.CopyToAsync(pipe, ct);
        var json = new Utf8JsonWriter(pipe, new JsonWriterOptions { SkipValidation = true });
        long missingInInsurer = 0;
        foreach (var (id, entry) in _service)
        {
            if (entry.Line != 0) continue;
            missingInInsurer++;
            DifferenceSpill.WriteDifference(json, DifferenceSpill.MissingInInsurer, id, entry.PayoutFen, null, null, null);
            EndLine(json, pipe);
            if ((missingInInsurer & 511) == 0) await FlushAsync(pipe, ct); // ~50 KB
        }
        foreach (var (key, entry) in _stays)
        {
            if (entry.Line != 0) continue;
            missingInInsurer++;
            DifferenceSpill.WriteDifference(json, DifferenceSpill.MissingInInsurer, key, entry.PayoutFen, null, null, null);
            EndLine(json, pipe);
            if ((missingInInsurer & 511) == 0) await FlushAsync(pipe, ct);
        }
        var different = _missingInService + missingInInsurer + _amountMismatch + _duplicates + _malformed;
        var summary = new DetailCheckSummary(_insurerRows, ServiceRows, _matched, _missingInService, missingInInsurer, _amountMismatch,
            _duplicates, _malformed, different == 0 ? ReconciliationRecorder.Match : ReconciliationRecorder.Mismatch);
        json.WriteStartObject();
        json.WritePropertyName("summary"u8);
        JsonSerializer.Serialize(json, summary, ReconciliationJson.Options);
        json.WriteEndObject();
        EndLine(json, pipe);
        await pipe.FlushAsync(ct);
        return summary;
    }

    private static async Task FlushAsync(PipeWriter pipe, CancellationToken ct)
    {
        var flushed = await pipe.FlushAsync(ct);
        if (flushed.IsCanceled || flushed.IsCompleted) throw new OperationCanceledException(ct);
    }

    private static void EndLine(Utf8JsonWriter json, PipeWriter pipe)
    {
        json.Flush();
        pipe.Write("\n"u8);
        json.Reset();
    }

    public ValueTask DisposeAsync() => _spill.DisposeAsync();
}

/// <summary>
/// The differences found while the upload is read, as NDJSON lines: kept in a 1 MiB buffer and, beyond it, in a
/// temporary file deleted on close. They cannot go to the client as they are found: HTTP/1.1 clients (HttpClient
/// among them) send the whole body before they read the answer, so a large answer written during the upload would
/// stall both sides. The file is bounded by the upload's size; memory stays at the buffer.
/// </summary>
internal sealed class DifferenceSpill : IAsyncDisposable
{
    public const string MissingInService = "missing_in_service";
    public const string MissingInInsurer = "missing_in_insurer";
    public const string AmountMismatch = "amount_mismatch";
    public const string DuplicateInInsurer = "duplicate_in_insurer";
    public const string MalformedType = "malformed";
    private const int SpillBytes = 1024 * 1024;

    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;
    private FileStream? _file;

    public DifferenceSpill() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

    public void Write(string type, Guid id, long? servicePayoutFen, long? insurerPayoutFen, long line, long? firstLine = null)
    {
        WriteDifference(_json, type, id, servicePayoutFen, insurerPayoutFen, line, firstLine);
        EndLine();
    }

    public void Write(string type, StayKey key, long? servicePayoutFen, long? insurerPayoutFen, long line, long? firstLine = null)
    {
        WriteDifference(_json, type, key, servicePayoutFen, insurerPayoutFen, line, firstLine);
        EndLine();
    }

    public void WriteMalformed(long line, string reason)
    {
        _json.WriteStartObject();
        _json.WriteString("type"u8, MalformedType);
        _json.WriteNumber("line"u8, line);
        _json.WriteString("reason"u8, reason);
        _json.WriteEndObject();
        EndLine();
    }

    public static void WriteDifference(Utf8JsonWriter json, string type, Guid id, long? servicePayoutFen, long? insurerPayoutFen, long? line, long? firstLine)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, type);
        Span<char> text = stackalloc char[36];
        id.TryFormat(text, out _);
        json.WriteString("adjudicationId"u8, text);
        if (servicePayoutFen is { } s) json.WriteNumber("servicePayout"u8, Fen.ToDecimal(s));
        if (insurerPayoutFen is { } i) json.WriteNumber("insurerPayout"u8, Fen.ToDecimal(i));
        if (line is { } l) json.WriteNumber("line"u8, l);
        if (firstLine is { } f) json.WriteNumber("firstLine"u8, f);
        json.WriteEndObject();
    }

    /// <summary>A difference of a stay: named by setlId, or by hospitalCode and settlementId.</summary>
    public static void WriteDifference(Utf8JsonWriter json, string type, StayKey key, long? servicePayoutFen, long? insurerPayoutFen, long? line, long? firstLine)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, type);
        if (key.HospitalCode is { } hospital)
        {
            json.WriteString("hospitalCode"u8, hospital);
            json.WriteString("settlementId"u8, key.Id);
        }
        else json.WriteString("setlId"u8, key.Id);
        if (servicePayoutFen is { } s) json.WriteNumber("servicePayout"u8, Fen.ToDecimal(s));
        if (insurerPayoutFen is { } i) json.WriteNumber("insurerPayout"u8, Fen.ToDecimal(i));
        if (line is { } l) json.WriteNumber("line"u8, l);
        if (firstLine is { } f) json.WriteNumber("firstLine"u8, f);
        json.WriteEndObject();
    }

    private void EndLine()
    {
        _json.Flush();
        _buffer.Write("\n"u8);
        _json.Reset();
        if (_buffer.WrittenCount < SpillBytes) return;
        _file ??= new FileStream(Path.Combine(Path.GetTempPath(), $"claims-detail-check-{Guid.NewGuid():N}.ndjson"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose | FileOptions.SequentialScan);
        _file.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }

    public async Task CopyToAsync(PipeWriter pipe, CancellationToken ct)
    {
        if (_file is not null)
        {
            _file.Position = 0;
            await _file.CopyToAsync(pipe, ct);
        }
        await pipe.WriteAsync(_buffer.WrittenMemory, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        if (_file is not null) await _file.DisposeAsync();
    }
}

/// <summary>What a detail check's rows are keyed by: one adjudication each, or one stay each (its net payout in the period).</summary>
public enum UploadKey
{
    AdjudicationId,
    /// <summary>The national 结算ID.</summary>
    SetlId,
    /// <summary>hospitalCode + settlementId (a hospital's own upload may leave hospitalCode out).</summary>
    Settlement,
}

/// <summary>A stay's key: the national setlId (<see cref="HospitalCode"/> null), or a hospital's settlement id.</summary>
internal readonly record struct StayKey(string? HospitalCode, string Id);

/// <summary>The answer of a detail check: differences and summary as NDJSON, written once the upload has been read.</summary>
public sealed class DetailCheckResult : IResult, IEndpointMetadataProvider
{
    private readonly DetailCheck _check;
    private readonly Caller _caller;
    private readonly string _regionCode;
    private readonly DateOnly _from;
    private readonly DateOnly _to;
    private readonly UploadFormat _format;

    internal DetailCheckResult(DetailCheck check, Caller caller, string regionCode, DateOnly from, DateOnly to, UploadFormat format) =>
        (_check, _caller, _regionCode, _from, _to, _format) = (check, caller, regionCode, from, to, format);

    public async Task ExecuteAsync(HttpContext http)
    {
        var recorder = http.RequestServices.GetRequiredService<ReconciliationRecorder>();
        DetailCheckSummary? summary = null;
        try
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "application/x-ndjson";
            summary = await _check.WriteAnswerAsync(http.Response.BodyWriter, http.RequestAborted);
        }
        finally
        {
            await _check.DisposeAsync();
            await recorder.RecordAfterStreamAsync(_caller, ReconciliationRecorder.DetailCheck, _regionCode, _from, _to,
                summary?.Result ?? ReconciliationRecorder.Incomplete,
                new { upload = _format.ToString().ToLowerInvariant(), summary });
        }
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(DetailCheckLine), ["application/x-ndjson"]));
}

/// <summary>The API's JSON conventions for what reconciliation serialises itself.</summary>
internal static class ReconciliationJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}

using ClaimsService.Domain;
using System.Reflection;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Reconciliation;
using Microsoft.AspNetCore.Http.Metadata;

namespace ClaimsService.Api.Reconciliation;

/// <summary>
/// Streams a statement straight from the database reader into the response: each row is formatted into the response
/// pipe as it is read, and the pipe is flushed every <see cref="FlushBytes"/>, so memory does not grow with the
/// period. The trailer comes last; a download without it is truncated. The run is recorded once the stream ends.
/// </summary>
public sealed class StatementResult : IResult, IEndpointMetadataProvider
{
    /// <summary>Flush to the client every 64 KiB: large writes, bounded buffering.</summary>
    public const int FlushBytes = 64 * 1024;

    private readonly StatementReader _reader;
    private readonly StatementFormat _format;
    private readonly Caller _caller;
    private readonly string _regionCode;
    private readonly DateOnly _from;
    private readonly DateOnly _to;

    internal StatementResult(StatementReader reader, StatementFormat format, Caller caller, string regionCode, DateOnly from, DateOnly to) =>
        (_reader, _format, _caller, _regionCode, _from, _to) = (reader, format, caller, regionCode, from, to);

    public async Task ExecuteAsync(HttpContext http)
    {
        var recorder = http.RequestServices.GetRequiredService<ReconciliationRecorder>();
        var ct = http.RequestAborted;
        var pipe = http.Response.BodyWriter;
        var writer = StatementWriter.For(_format, pipe);
        long rows = 0, payoutFen = 0;
        var complete = false;
        try
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = writer.ContentType;
            http.Response.Headers.ContentDisposition =
                $"attachment; filename=\"statement-{_regionCode}-{_from:yyyy-MM-dd}-{_to:yyyy-MM-dd}.{writer.Extension}\"";
            writer.WriteHeader();
            while (await _reader.ReadAsync(ct))
            {
                writer.Write(_reader.Current);
                rows++;
                payoutFen += _reader.Current.PayoutFen;
                if (writer.Pending >= FlushBytes)
                {
                    var flushed = await writer.FlushAsync(ct);
                    if (flushed.IsCanceled || flushed.IsCompleted) return; // the client went away
                }
            }
            writer.WriteTrailer(rows, payoutFen);
            await writer.FlushAsync(ct);
            complete = true;
        }
        finally
        {
            await _reader.DisposeAsync();
            await recorder.RecordAfterStreamAsync(_caller, ReconciliationRecorder.Statement, _regionCode, _from, _to,
                complete ? ReconciliationRecorder.Served : ReconciliationRecorder.Incomplete,
                new { format = _format.ToString().ToLowerInvariant(), rows, payout = Fen.ToDecimal(payoutFen) });
        }
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(StatementLineContract), ["text/csv", "application/x-ndjson"]));
}

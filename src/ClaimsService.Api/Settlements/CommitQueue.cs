using System.Diagnostics;
using System.Threading.Channels;
using ClaimsService.Api.Telemetry;
using ClaimsService.Data;

namespace ClaimsService.Api.Settlements;

/// <summary>A commit queue is full: the service sheds the request (503 <c>overloaded</c> with Retry-After) rather than queue without bound.</summary>
public sealed class OverloadedException(string queue) : Exception($"The {queue} commit queue is full.")
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Group commit (architecture.md "Data flow of one settlement"): a bounded queue and a few writer loops. Each loop takes
/// what arrived while its previous batch committed, up to a maximum, and commits it; there is no timer, so a request
/// alone is not delayed. <see cref="EnqueueAsync"/> answers only once the batch's commit has set the request's answer.
/// A batch that fails as a whole for another reason than an outage is split in halves and each half tried again, so one
/// bad item never fails the others.
/// </summary>
internal sealed class CommitQueue<TItem, TResult>
{
    /// <summary>One request waiting: its item, its span (linked from the batch's) and the answer its batch sets after commit.</summary>
    public sealed class Pending(TItem item, ActivityContext requester)
    {
        public TItem Item { get; } = item;
        public ActivityContext Requester { get; } = requester;
        public long EnqueuedAt { get; } = Stopwatch.GetTimestamp();
        public TaskCompletionSource<TResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly string _name;
    private readonly int _maxBatch;
    private readonly int _writers;
    private readonly Func<IReadOnlyList<Pending>, CancellationToken, Task> _commit;
    private readonly ClaimsMetrics _metrics;
    private readonly Channel<Pending> _channel;
    private Task _loops = Task.CompletedTask;

    /// <summary><c>commit</c> commits a batch and sets every answer after the commit; it throws (setting none) when the batch failed.</summary>
    public CommitQueue(string name, BatchingOptions options, int writers, Func<IReadOnlyList<Pending>, CancellationToken, Task> commit, ClaimsMetrics metrics)
    {
        _name = name;
        _maxBatch = options.MaxBatchSize;
        _writers = writers;
        _commit = commit;
        _metrics = metrics;
        _channel = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, SingleReader = writers == 1, SingleWriter = false,
        });
    }

    /// <summary>Requests queued and not yet taken by a batch.</summary>
    public int Waiting => _channel.Reader.Count;

    public Task<TResult> EnqueueAsync(TItem item, CancellationToken ct)
    {
        var pending = new Pending(item, Activity.Current?.Context ?? default);
        if (!_channel.Writer.TryWrite(pending))
        {
            _metrics.QueueFull(_name);
            throw new OverloadedException(_name);
        }
        // The batch is not cancelled with one request: what it commits is answered, or the same request replays it.
        return pending.Answer.Task.WaitAsync(ct);
    }

    public void Start(CancellationToken stop) =>
        _loops = Task.WhenAll(Enumerable.Range(0, _writers).Select(_ => Task.Run(() => WriteAsync(stop), CancellationToken.None)));

    /// <summary>Takes no more requests and waits for the loops to commit what is queued.</summary>
    public Task StopAsync(CancellationToken ct)
    {
        _channel.Writer.TryComplete();
        return _loops.WaitAsync(ct);
    }

    private async Task WriteAsync(CancellationToken stop)
    {
        var reader = _channel.Reader;
        var batch = new List<Pending>(_maxBatch);
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && reader.TryRead(out var pending)) batch.Add(pending);
            if (batch.Count == 0) continue;

            var started = Stopwatch.GetTimestamp();
            _metrics.BatchStarted(_name, batch.Count);
            foreach (var pending in batch) _metrics.QueueWaited(_name, Stopwatch.GetElapsedTime(pending.EnqueuedAt, started).TotalSeconds);
            using (var activity = ClaimsTelemetry.Source.StartActivity(ActivityKind.Internal, parentContext: default,
                       links: batch.Where(p => p.Requester != default).Select(p => new ActivityLink(p.Requester)), name: $"commit {_name}"))
            {
                activity?.SetTag("claims.batch.size", batch.Count);
                await CommitAsync(batch, stop).ConfigureAwait(false);
            }
            _metrics.BatchFlushed(_name, Stopwatch.GetElapsedTime(started).TotalSeconds);
            foreach (var pending in batch) pending.Answer.TrySetException(new InvalidOperationException($"The {_name} batch ended without answering."));
        }
    }

    private async Task CommitAsync(IReadOnlyList<Pending> batch, CancellationToken stop)
    {
        try
        {
            await _commit(batch, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (batch.Count > 1 && e is not DatabaseUnavailableException and not OperationCanceledException)
        {
            var half = batch.Count / 2;
            await CommitAsync(batch.Take(half).ToList(), stop).ConfigureAwait(false);
            await CommitAsync(batch.Skip(half).ToList(), stop).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var pending in batch) pending.Answer.TrySetException(e);
        }
    }
}

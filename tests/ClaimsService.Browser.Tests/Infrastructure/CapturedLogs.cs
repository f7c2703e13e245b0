using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ClaimsService.Browser.Tests.Infrastructure;

/// <summary>One log entry as every sink could see it: category, message, state values, exception and the scopes around it.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyList<string> Values, string? Exception, IReadOnlyList<string> Scopes)
{
    public IEnumerable<string> Texts() => [Category, Message, .. Values, Exception ?? "", .. Scopes];
}

/// <summary>A logger provider that keeps everything logged through it, scopes included.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<CapturedLog> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private static IEnumerable<string> ValuesOf(object? state) => state switch
    {
        IEnumerable<KeyValuePair<string, object?>> pairs => pairs.Select(p => $"{p.Key}={p.Value}"),
        null => [],
        _ => [state.ToString() ?? ""],
    };

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            owner._scopes.ForEachScope((scope, list) =>
            {
                list.Add(scope?.ToString() ?? "");
                list.AddRange(ValuesOf(scope));
            }, scopes);
            owner._entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), ValuesOf(state).ToList(), exception?.ToString(), scopes));
        }
    }
}

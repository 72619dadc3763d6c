using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Nectr.Tests.Jobs;

/// <summary>One log line the app wrote, with the job it names (the <c>{JobId}</c> of its template), if any, and the exception it carried.</summary>
internal sealed record LogEntry(string Category, int EventId, LogLevel Level, string Message, long? JobId, Exception? Exception = null);

/// <summary>Records what the app logs, so a test can wait for a line that only a particular outcome writes.</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _entries);

    public void Dispose()
    {
    }

    /// <summary>Waits (polling) until <paramref name="count"/> entries match; fails the test after 30 s.</summary>
    public async Task WaitForAsync(Func<LogEntry, bool> match, string what, int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Entries.Count(match) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for the log to say {what}. It said:\n" + string.Join('\n', Entries.Select(e => $"{e.Level} {e.Category}[{e.EventId}] {e.Message}")));
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    private sealed class Recorder(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var jobId = state is IReadOnlyList<KeyValuePair<string, object?>> values
                ? values.Where(v => v.Key == "JobId").Select(v => v.Value as long?).FirstOrDefault()
                : null;
            entries.Enqueue(new LogEntry(category, eventId.Id, logLevel, formatter(state, exception), jobId, exception));
        }
    }
}

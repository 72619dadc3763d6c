using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nectr.Data;
using Nectr.Tests.Infrastructure;
using Nectr.Webhooks;

namespace Nectr.Tests.Webhooks;

/// <summary>Set-up the webhook tests share: repositories with their own secrets, redirected hook headers, payload edits.</summary>
internal static class WebhookTestKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string Sha(char c) => new(c, 40);

    /// <summary>A repository as Connect leaves it: its own secret, protected with the app's key ring.</summary>
    public static Task AddRepositoryAsync(NectrApp app, long gitHubId, string fullName, string? ownSecret, bool connected, bool isPrivate = false) =>
        app.QueryAsync(async db =>
        {
            var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(WebhookSecrets.ProtectorPurpose);
            db.Repositories.Add(new RepositoryRecord
            {
                GitHubId = gitHubId,
                FullName = fullName,
                WebhookSecretProtected = ownSecret is null ? null : protector.Protect(ownSecret),
                Connected = connected,
                Private = isPrivate,
                CreatedAt = DateTime.UtcNow,
                ConnectedAt = connected ? DateTime.UtcNow : null,
            });
            return await db.SaveChangesAsync(Ct);
        });

    /// <summary>Says the delivery came from another hook: a repository's (with its id), an organisation's, or none at all.</summary>
    public static HttpRequestMessage FromHook(this HttpRequestMessage request, string? targetType, long? targetId)
    {
        request.Headers.Remove("X-GitHub-Hook-Installation-Target-Type");
        request.Headers.Remove("X-GitHub-Hook-Installation-Target-ID");
        if (targetType is not null)
        {
            request.Headers.Add("X-GitHub-Hook-Installation-Target-Type", targetType);
            request.Headers.Add("X-GitHub-Hook-Installation-Target-ID", targetId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return request;
    }

    /// <summary>A real example payload edited with <paramref name="edit"/> (the JSON stays exactly what is signed).</summary>
    public static byte[] Edit(byte[] payload, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(payload)!.AsObject();
        edit(root);
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }
}

/// <summary>Every log entry the app writes, to assert how much a single event logs.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Error)> _entries = new();

    private int _mark;

    public IReadOnlyList<(string Category, LogLevel Level, string Message, Exception? Error)> Entries => [.. _entries];

    /// <summary>What was logged after <see cref="Mark"/>: start-up noise (a fresh database's first migration query) left out.</summary>
    public IReadOnlyList<(string Category, LogLevel Level, string Message, Exception? Error)> SinceMark => [.. _entries.Skip(Volatile.Read(ref _mark))];

    public void Mark() => Volatile.Write(ref _mark, _entries.Count);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, LogCollector collector) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            collector._entries.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}

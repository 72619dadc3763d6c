using System.Data.Common;
using System.Globalization;
using Nectr.Engine.Context;
using Nectr.GitHub;
using Nectr.Llm;

namespace Nectr.Context;

/// <summary>
/// Runs one source of a review's context under its own deadline. A source that fails or runs out of time gives
/// nothing and a <see cref="ContextGap"/> in Nectr's own words; the review goes on without it. Only the caller's
/// own cancellation (the job stopping) is thrown.
/// </summary>
internal static partial class ContextPart
{
    public static async Task<(T? Value, ContextGap? Gap)> RunAsync<T>(
        string source, TimeSpan deadline, Func<CancellationToken, Task<T>> read, ILogger logger, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            return (await read(timeout.Token), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"timed out after {deadline.TotalSeconds:0.#} s");
            Log.Missing(logger, source, reason, null);
            return (default, new ContextGap(source, reason));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var reason = Describe(ex);
            Log.Missing(logger, source, reason, ex);
            return (default, new ContextGap(source, reason));
        }
    }

    /// <summary>A few words on what went wrong, without the exception's text (it can quote a URL or a provider's message).</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        GitHubRateLimitedException => "GitHub's rate limit was reached",
        GitHubApiException api => string.Create(CultureInfo.InvariantCulture, $"GitHub answered {(int)api.Status}"),
        GitHubTokenUnavailableException => "no GitHub token",
        HttpRequestException => "GitHub could not be reached",
        LlmException => "the model provider failed",
        DbException or Microsoft.EntityFrameworkCore.DbUpdateException => "the database failed",
        _ => "an internal error (" + ex.GetType().Name + ")",
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Review context: {Source} is missing ({Reason}); the review goes on without it")]
        public static partial void Missing(ILogger logger, string source, string reason, Exception? exception);
    }
}

using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Nectr.Configuration;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.Knowledge;
using Nectr.McpClient;

namespace Nectr.Tools;

/// <summary>The pull request a toolbox reads for: its repository, number and head commit.</summary>
internal sealed record ToolTarget(string Owner, string Repo, int Number, string HeadSha)
{
    public string Repository => $"{Owner}/{Repo}";
}

/// <summary>
/// The read-only tools of one review, bound to its pull request: <c>read_file</c> at the head SHA, <c>get_file_history</c>
/// from the knowledge index, <c>get_issue</c> and <c>search_issues</c> (<see cref="IIssueLookup"/>), <c>search_memory</c>,
/// and, through the review's MCP client, <c>get_linked_issues</c>, <c>get_related_errors</c> and <c>search_discussions</c>.
/// Nothing here writes anywhere: a tool call reads, and its result is text for the model, never an action. A call
/// with an unknown name or bad arguments, or whose source fails, gets an error text as its result; only cancellation
/// escapes (the caller tells the loop's wall time from the review's own). Every result is at most <see cref="ReviewToolOptions.ResultBytes"/> UTF-8 bytes.
/// </summary>
internal sealed partial class ReviewToolbox(
    ToolTarget target,
    ReviewToolOptions options,
    IGitHubApi github,
    IIssueLookup issues,
    FileHistory? history,
    MemorySearch? memory,
    IMcpReviewContext? mcp,
    ILogger logger)
{
    /// <summary>GitHub's contents API inlines files up to 1 MB; a larger file cannot be read this way.</summary>
    public const int MaxFileBytes = 1_048_576;

    /// <summary>How many issues or memories a search names.</summary>
    public const int MaxHits = 8;

    private const int MaxPathLength = 1_000;

    public ReviewToolOptions Options => options;

    public ToolTarget Target => target;

    /// <summary>
    /// Tools whose source this host has: without a database there is no file history and no memory; an MCP tool only
    /// where a configured server fills its role with an accepted tool.
    /// </summary>
    private IReadOnlySet<string> Available { get; } = ToolCatalog.Names
        .Where(n => n switch
        {
            ToolCatalog.GetFileHistory => history is not null,
            ToolCatalog.SearchMemory => memory is not null,
            ToolCatalog.GetLinkedIssues => mcp?.Serves(McpRole.Tracker) == true,
            ToolCatalog.GetRelatedErrors => mcp?.Serves(McpRole.Errors) == true,
            ToolCatalog.SearchDiscussions => mcp?.Serves(McpRole.Discussion) == true,
            _ => true,
        })
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The names of the tools a question of <paramref name="focus"/> is offered (none for the synthesis).</summary>
    public IReadOnlyList<string> NamesFor(QuestionFocus focus) => ToolCatalog.For(focus, Available);

    public IReadOnlyList<AITool> ToolsFor(QuestionFocus focus) => [.. NamesFor(focus).Select(ToolCatalog.Declaration)];

    /// <summary>
    /// Runs one call of a tool offered to <paramref name="focus"/>. The result is plain text (fenced by the caller);
    /// a tool that is not offered to this focus is unknown to it.
    /// </summary>
    public async Task<string> RunAsync(QuestionFocus focus, string name, IDictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        if (!NamesFor(focus).Contains(name, StringComparer.Ordinal))
        {
            Log.UnknownTool(logger, target.Owner, target.Repo, target.Number, name.Length > 64 ? name[..64] : name);
            return Cap($"error: there is no tool named '{(name.Length > 64 ? name[..64] + "…" : name)}'; the tools are {string.Join(", ", NamesFor(focus))}");
        }

        try
        {
            var result = name switch
            {
                ToolCatalog.ReadFile => await ReadFileAsync(ToolArguments.Of(arguments, "path", "start_line", "end_line"), cancellationToken),
                ToolCatalog.GetFileHistory => await FileHistoryAsync(ToolArguments.Of(arguments, "path"), cancellationToken),
                ToolCatalog.GetIssue => await IssueAsync(ToolArguments.Of(arguments, "number"), cancellationToken),
                ToolCatalog.SearchIssues => await SearchIssuesAsync(ToolArguments.Of(arguments, "query"), cancellationToken),
                ToolCatalog.SearchMemory => await SearchMemoryAsync(ToolArguments.Of(arguments, "query", "developer"), cancellationToken),
                ToolCatalog.GetLinkedIssues => await AskAsync(McpRole.Tracker, Query(ToolArguments.Of(arguments, "query")), cancellationToken),
                ToolCatalog.GetRelatedErrors => await AskAsync(McpRole.Errors, RepositoryPath(ToolArguments.Of(arguments, "path").RequiredText("path")), cancellationToken),
                ToolCatalog.SearchDiscussions => await AskAsync(McpRole.Discussion, Query(ToolArguments.Of(arguments, "query")), cancellationToken),
                _ => throw new InvalidOperationException($"Tool {name} is declared but has no implementation."),
            };
            Log.Ran(logger, name, target.Owner, target.Repo, target.Number, result.Length);
            return result;
        }
        catch (ToolArgumentException ex)
        {
            return Cap($"error: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A source that fails (GitHub, the database) costs this one result, never the review.
            Log.Failed(logger, name, target.Owner, target.Repo, target.Number, ex.GetType().Name);
            return $"error: {name} could not read its source just now; go on without it";
        }
    }

    private async Task<string> ReadFileAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var path = RepositoryPath(arguments.RequiredText("path"));
        var start = arguments.Number("start_line", 1) ?? 1;
        var end = arguments.Number("end_line", 1);
        if (end < start)
        {
            throw new ToolArgumentException("'end_line' is before 'start_line'");
        }

        var file = await github.GetFileTextAsync(target.Owner, target.Repo, path, target.HeadSha, MaxFileBytes, cancellationToken);
        if (file is null)
        {
            return $"error: there is no file '{path}' at the head commit {Short(target.HeadSha)} (a directory, or a path that does not exist)";
        }

        if (file.Text is null)
        {
            return $"error: '{path}' cannot be read: it is larger than {MaxFileBytes / 1024} KiB or is not UTF-8 text";
        }

        var lines = file.Text.Split('\n');
        var count = file.Text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        if (start > Math.Max(1, count))
        {
            return $"error: '{path}' has {count} lines; 'start_line' {start} is past its end";
        }

        var last = Math.Min(end ?? count, count);
        var header = string.Create(CultureInfo.InvariantCulture, $"{path} at {Short(target.HeadSha)}, lines {start}-{last} of {count}:\n");
        var builder = new StringBuilder(header);
        var budget = options.ResultBytes - Encoding.UTF8.GetByteCount(header) - 160; // room for the note below
        var used = 0;
        for (var line = start; line <= last; line++)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{line,6} | {lines[line - 1].TrimEnd('\r')}\n");
            var bytes = Encoding.UTF8.GetByteCount(text);
            if (used + bytes > budget)
            {
                // Whole lines only: a cut line would read as code that is not there.
                builder.Append(CultureInfo.InvariantCulture,
                    $"(cut at {options.ResultBytes} bytes after line {line - 1}; call read_file with start_line={line} to read on)\n");
                break;
            }

            builder.Append(text);
            used += bytes;
        }

        return builder.ToString();
    }

    private async Task<string> FileHistoryAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var path = RepositoryPath(arguments.RequiredText("path"));
        var changes = await history!.RecentAsync(target.Repository, path, target.Number, cancellationToken);
        if (changes.Count == 0)
        {
            return $"No earlier pull request in Nectr's index changed '{path}'.";
        }

        var builder = new StringBuilder($"Recent pull requests that changed '{path}', newest first:\n");
        foreach (var change in changes)
        {
            var merged = change.MergedAt is { } at ? " " + at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "";
            builder.Append(CultureInfo.InvariantCulture,
                $"- #{change.Number} {OneLine(change.Title)} (by {change.AuthorLogin}; {change.State}{merged}; Nectr's verdict: {change.Verdict ?? "none"})\n");
        }

        return Cap(builder.ToString());
    }

    private async Task<string> IssueAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var number = arguments.RequiredNumber("number", 1);
        var issue = await issues.GetAsync(target.Owner, target.Repo, number, cancellationToken);
        if (issue is null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"error: {target.Repository} has no issue #{number}");
        }

        var kind = issue.IsPullRequest ? "Pull request" : "Issue";
        return Cap(string.Create(CultureInfo.InvariantCulture,
            $"{kind} #{issue.Number} ({issue.State}): {OneLine(issue.Title)}\n\n{(string.IsNullOrWhiteSpace(issue.Body) ? "(no description)" : issue.Body)}"));
    }

    private async Task<string> SearchIssuesAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var query = Query(arguments);
        var hits = await issues.SearchAsync(target.Owner, target.Repo, query, MaxHits, cancellationToken);
        return hits.Count == 0
            ? "No open issue matches those words."
            : Cap("Open issues that match, best first:\n" + string.Concat(hits.Select(h => string.Create(CultureInfo.InvariantCulture, $"- #{h.Number} {OneLine(h.Title)}\n"))));
    }

    private async Task<string> SearchMemoryAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var query = Query(arguments);
        var developer = arguments.Text("developer");
        if (developer is not null && !GitHubNames.IsOwner(developer))
        {
            throw new ToolArgumentException("'developer' is not a GitHub login");
        }

        var hits = await memory!.SearchAsync(target.Repository, query, developer, MaxHits, cancellationToken);
        return hits.Count == 0
            ? "No project memory matches those words."
            : Cap("Project memories that match, best first:\n" + string.Concat(hits.Select(h =>
                $"- [{h.Type}{(h.Developer is null ? "" : ", about " + h.Developer)}] {OneLine(h.Content)}\n")));
    }

    /// <summary>
    /// One call of the MCP tool filling <paramref name="role"/>. The server's text is untrusted like every tool result (the
    /// loop fences it); the client has already bounded its time and size, and this caps it like the other tools.
    /// </summary>
    private async Task<string> AskAsync(McpRole role, string query, CancellationToken cancellationToken)
    {
        var answer = await mcp!.AskAsync(role, query, cancellationToken);
        return answer.Answered
            ? Cap(answer.Text)
            : Cap($"error: {answer.Text}; go on without it");
    }

    private static string Query(ToolArguments arguments)
    {
        var query = arguments.RequiredText("query");
        return Engine.Context.TextSearch.HasTerms(query)
            ? query
            : throw new ToolArgumentException("'query' has no word to search for (words of three letters or more, not 'the', 'and', …)");
    }

    /// <summary>A path inside the repository, as the contents API takes it: relative, no '.', '..' or empty segment, no control character.</summary>
    private static string RepositoryPath(string path)
    {
        if (path.Length > MaxPathLength || path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Any(char.IsControl)
            || path.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ToolArgumentException("'path' must be a file path inside the repository, relative to its root (e.g. src/app.py), without '.', '..' or a leading '/'");
        }

        return path;
    }

    /// <summary>The result cut to <see cref="ReviewToolOptions.ResultBytes"/> UTF-8 bytes, on a character boundary, saying so.</summary>
    private string Cap(string text) => Utf8Cap.Cap(text, options.ResultBytes);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Tool {Tool} for {Owner}/{Repo}#{Number}: {Chars} characters")]
        public static partial void Ran(ILogger logger, string tool, string owner, string repo, int number, int chars);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Tool {Tool} for {Owner}/{Repo}#{Number} failed: {Reason}; the model is told and the review goes on")]
        public static partial void Failed(ILogger logger, string tool, string owner, string repo, int number, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "The model asked {Owner}/{Repo}#{Number} for a tool it is not offered: {Tool}")]
        public static partial void UnknownTool(ILogger logger, string owner, string repo, int number, string tool);
    }
}

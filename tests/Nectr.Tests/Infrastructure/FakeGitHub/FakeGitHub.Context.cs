using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>An issue of a fake repository; <see cref="IsPullRequest"/> lists it as GitHub's issues API lists a PR.</summary>
public sealed record FakeIssue(int Number, string Title, string? Body = null, string State = "open", string Author = "octocat", IReadOnlyList<string>? Labels = null, bool IsPullRequest = false)
{
    public DateTimeOffset UpdatedAt { get; init; } = DateTimeOffset.UtcNow;
}

// What the review's context reads from GitHub: issues, a PR's commits, PR lists, files at a ref, trees and the
// repository's default branch. Every repository has them, empty until a test adds some, so a review that reads its
// context never trips the fake; a test that wants a read to fail uses FailNext (FakeGitHub.Faults.cs) or a route.
public sealed partial class FakeGitHub
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, FakeIssue>> _issues = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _files = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The branch GET /repos/{owner}/{repo} names as default, and the ref files added without one live at.</summary>
    public string DefaultBranch { get; set; } = "main";

    public FakeIssue AddIssue(string owner, string repo, FakeIssue issue)
    {
        _issues.GetOrAdd($"{owner}/{repo}", _ => new())[issue.Number] = issue;
        return issue;
    }

    /// <summary>A file's text at <paramref name="gitRef"/> (a head SHA or a branch; null is the default branch).</summary>
    public void AddFile(string owner, string repo, string path, string text, string? gitRef = null) =>
        _files.GetOrAdd($"{owner}/{repo}@{gitRef ?? DefaultBranch}", _ => new(StringComparer.Ordinal))[path] = text;

    private async Task<bool> ContextRouteAsync(HttpContext context, RecordedRequest request, string[] segments)
    {
        if (request.Method != "GET" || segments.Length < 3 || segments[0] != "repos")
        {
            return false;
        }

        var (owner, repo) = (segments[1], segments[2]);
        var tail = segments.Skip(3).ToArray();
        switch (tail)
        {
            case []:
                await WriteJsonAsync(context, request, ServiceRepositoryJson(owner, repo), cacheable: false);
                return true;
            case ["issues"]:
                await WritePageAsync(context, request, IssuesOf(owner, repo, context.Request.Query["state"].ToString()).Select(i => IssueJson(owner, repo, i)).ToList(), 30);
                return true;
            case ["issues", var n] when int.TryParse(n, CultureInfo.InvariantCulture, out var number):
                if (_issues.TryGetValue($"{owner}/{repo}", out var issues) && issues.TryGetValue(number, out var issue))
                {
                    await WriteJsonAsync(context, request, IssueJson(owner, repo, issue), cacheable: true);
                }
                else
                {
                    await WriteStatusAsync(context, request, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest/issues/issues#get-an-issue"}""");
                }

                return true;
            case ["pulls"]:
                await WritePageAsync(context, request, PullsOf(owner, repo, context.Request.Query["state"].ToString()).Select(PullListJson).ToList(), 30);
                return true;
            case ["pulls", var n, "commits"] when int.TryParse(n, CultureInfo.InvariantCulture, out var number) && _pulls.TryGetValue(Key(owner, repo, number), out var pr):
                await WritePageAsync(context, request, pr.CommitMessages.Select((m, i) => CommitJson(pr, m, i)).ToList(), 30);
                return true;
            case ["contents", ..]:
                await ContentAsync(context, request, owner, repo, string.Join('/', tail.Skip(1).Select(Uri.UnescapeDataString)));
                return true;
            case ["git", "trees", var treeish]:
                await WriteJsonAsync(context, request, TreeJson(owner, repo, Uri.UnescapeDataString(treeish), context.Request.Query["recursive"].Count > 0), cacheable: true);
                return true;
            default:
                return false;
        }
    }

    private List<FakeIssue> IssuesOf(string owner, string repo, string state) =>
        (_issues.TryGetValue($"{owner}/{repo}", out var issues) ? issues.Values : [])
        .Where(i => state == "all" || i.State == (state.Length == 0 ? "open" : state))
        .OrderByDescending(i => i.UpdatedAt).ThenByDescending(i => i.Number).ToList();

    private List<FakePullRequest> PullsOf(string owner, string repo, string state) =>
        _pulls.Values.Where(p => Same(p.Owner, owner) && Same(p.Repo, repo))
            .Where(p => state == "all" || p.State == (state.Length == 0 ? "open" : state))
            .OrderByDescending(p => p.UpdatedAt).ThenByDescending(p => p.Number).ToList();

    private JsonObject IssueJson(string owner, string repo, FakeIssue issue)
    {
        var json = ContextTemplates.Issue.DeepClone().AsObject();
        json["number"] = issue.Number;
        json["title"] = issue.Title;
        json["body"] = issue.Body;
        json["state"] = issue.State;
        json["user"]!["login"] = issue.Author;
        json["labels"] = new JsonArray([.. (issue.Labels ?? []).Select((l, i) => (JsonNode)new JsonObject { ["id"] = 1000 + i, ["name"] = l, ["color"] = "ededed", ["default"] = false })]);
        json["updated_at"] = issue.UpdatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        json["closed_at"] = issue.State == "closed" ? json["updated_at"]!.GetValue<string>() : null;
        json["html_url"] = $"https://github.com/{owner}/{repo}/issues/{issue.Number}";
        json["url"] = new Uri(ApiUrl, $"repos/{owner}/{repo}/issues/{issue.Number}").ToString();
        if (issue.IsPullRequest)
        {
            json["pull_request"] = new JsonObject { ["url"] = new Uri(ApiUrl, $"repos/{owner}/{repo}/pulls/{issue.Number}").ToString() };
        }
        else
        {
            json.Remove("pull_request");
        }

        return json;
    }

    private JsonObject PullListJson(FakePullRequest pr)
    {
        var json = ContextTemplates.PullListItem.DeepClone().AsObject();
        json["number"] = pr.Number;
        json["state"] = pr.State;
        json["title"] = pr.Title;
        json["body"] = pr.Body;
        json["draft"] = pr.Draft;
        json["user"]!["login"] = pr.Author;
        json["html_url"] = $"https://github.com/{pr.Owner}/{pr.Repo}/pull/{pr.Number}";
        json["updated_at"] = pr.UpdatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        json["merged_at"] = pr.MergedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        json["closed_at"] = pr.State == "closed" ? json["updated_at"]!.GetValue<string>() : null;
        json["head"]!["sha"] = pr.HeadSha;
        return json;
    }

    private static JsonObject CommitJson(FakePullRequest pr, string message, int index)
    {
        var json = ContextTemplates.Commit.DeepClone().AsObject();
        var sha = Sha40(Encoding.UTF8.GetBytes($"{pr.HeadSha}/{index}"));
        json["sha"] = sha;
        json["commit"]!["message"] = message;
        json["html_url"] = $"https://github.com/{pr.Owner}/{pr.Repo}/commit/{sha}";
        return json;
    }

    private async Task ContentAsync(HttpContext context, RecordedRequest request, string owner, string repo, string path)
    {
        var gitRef = context.Request.Query["ref"].ToString();
        if (!_files.TryGetValue($"{owner}/{repo}@{(gitRef.Length == 0 ? DefaultBranch : gitRef)}", out var files) || !files.TryGetValue(path, out var text))
        {
            await WriteStatusAsync(context, request, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/contents#get-repository-content"}""");
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var json = ContextTemplates.Content.DeepClone().AsObject();
        json["path"] = path;
        json["name"] = path.Split('/')[^1];
        json["size"] = bytes.Length;
        // GitHub wraps the base64 at 60 characters; Nectr must read it either way.
        json["content"] = string.Join('\n', Convert.ToBase64String(bytes).Chunk(60).Select(c => new string(c))) + "\n";
        await WriteJsonAsync(context, request, json, cacheable: true);
    }

    private JsonObject TreeJson(string owner, string repo, string treeish, bool recursive)
    {
        var paths = _files.TryGetValue($"{owner}/{repo}@{treeish}", out var files) ? files : SubtreeFiles(owner, repo, treeish);
        var entries = new SortedDictionary<string, (string Type, long? Size)>(StringComparer.Ordinal);
        foreach (var (path, text) in paths)
        {
            var parts = path.Split('/');
            for (var depth = 1; depth < parts.Length && (recursive || depth == 1); depth++)
            {
                entries.TryAdd(string.Join('/', parts.Take(depth)), ("tree", null));
            }

            if (recursive || parts.Length == 1)
            {
                entries[path] = ("blob", Encoding.UTF8.GetByteCount(text));
            }
        }

        var json = ContextTemplates.Tree.DeepClone().AsObject();
        json["sha"] = Sha40(Encoding.UTF8.GetBytes($"{owner}/{repo}@{treeish}"));
        json["truncated"] = false;
        json["tree"] = new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject
        {
            ["path"] = e.Key,
            ["mode"] = e.Value.Type == "tree" ? "040000" : "100644",
            ["type"] = e.Value.Type,
            ["size"] = e.Value.Size,
            ["sha"] = Sha40(Encoding.UTF8.GetBytes(e.Key)),
        })]);
        return json;
    }

    /// <summary>
    /// A directory's tree asked for by the SHA its parent listed (GitHub lists it with paths relative to the
    /// directory): the default branch's files under that directory. Empty when no directory has that SHA.
    /// </summary>
    private ConcurrentDictionary<string, string> SubtreeFiles(string owner, string repo, string sha)
    {
        var subtree = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        if (!_files.TryGetValue($"{owner}/{repo}@{DefaultBranch}", out var all))
        {
            return subtree;
        }

        var directory = all.Keys.SelectMany(p => p.Split('/').SkipLast(1).Select((_, i) => string.Join('/', p.Split('/').Take(i + 1))))
            .FirstOrDefault(d => Sha40(Encoding.UTF8.GetBytes(d)) == sha);
        foreach (var (path, text) in all)
        {
            if (directory is not null && path.StartsWith(directory + "/", StringComparison.Ordinal))
            {
                subtree[path[(directory.Length + 1)..]] = text;
            }
        }

        return subtree;
    }

    /// <summary>GET /repos/{owner}/{repo} with the service's token: the repository with its default branch.</summary>
    private JsonObject ServiceRepositoryJson(string owner, string repo)
    {
        FakeRepository? known;
        lock (_lock)
        {
            known = _repositories.FirstOrDefault(r => Same(r.Owner, owner) && Same(r.Name, repo));
        }

        var json = RepositoryJson(known ?? new FakeRepository { Id = 1, Owner = owner, Name = repo }, admin: false);
        json["default_branch"] = DefaultBranch;
        return json;
    }

    /// <summary>A git-shaped id (40 hex digits) derived from the text, so the same input gets the same id.</summary>
    private static string Sha40(byte[] text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(text))[..40];

    /// <summary>Loaded on first use: a static field of this partial could run before the fixture path of another partial is set.</summary>
    private static class ContextTemplates
    {
        public static readonly JsonObject Issue = LoadTemplate("issues.get.json").AsObject();
        public static readonly JsonObject Commit = LoadTemplate("pulls.list-commits.json")[0]!.AsObject();
        public static readonly JsonObject PullListItem = LoadTemplate("pulls.list.json")[0]!.AsObject();
        public static readonly JsonObject Content = LoadTemplate("repos.get-content.json").AsObject();
        public static readonly JsonObject Tree = LoadTemplate("git.get-tree.json").AsObject();
    }
}

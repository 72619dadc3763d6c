using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>A commit of a fake PR's branch: its parent (null for the first) and the paths it changed.</summary>
public sealed record FakeCommit(string Sha, string? Parent, IReadOnlyList<string> Changed);

// A living pull request: the test pushes commits (a fast-forward, or a force-push onto another parent), which moves the
// PR's head and its file list; GET /repos/{o}/{r}/compare/{base}...{head} answers from that history as GitHub does
// (ahead with the files changed in between, behind, diverged, identical, 404 for a commit the fake never had or forgot).
// Each review's inline comments get ids (review id × 1000 + position) and are listed by
// GET /repos/{o}/{r}/pulls/{n}/reviews/{id}/comments; their threads are served by FakeGitHub.GraphQL.cs.
public sealed partial class FakeGitHub
{
    private readonly ConcurrentDictionary<string, FakeCommit> _commits = new(StringComparer.Ordinal);

    /// <summary>Records a commit the compare API knows, without moving any PR (the PR's first head, say).</summary>
    public FakeCommit AddCommit(string sha, string? parent, IEnumerable<string> changed) => _commits[sha] = new FakeCommit(sha, parent, [.. changed]);

    /// <summary>
    /// Pushes <paramref name="sha"/> onto <paramref name="pr"/>: a commit on top of its head changing
    /// <paramref name="changed"/>, or with <paramref name="forceOnto"/> a commit on that other parent (a force-push after a
    /// rebase or reset). The PR then lists <paramref name="files"/> (its diff against its base, as GitHub recomputes it).
    /// </summary>
    public void Push(FakePullRequest pr, string sha, IReadOnlyList<FakeFile> files, IEnumerable<string> changed, string? forceOnto = null)
    {
        AddCommit(sha, forceOnto ?? pr.HeadSha, changed);
        pr.HeadSha = sha;
        pr.Files = files;
        pr.UpdatedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>GitHub no longer has the commit (garbage-collected after a force-push): compare answers 404.</summary>
    public void ForgetCommit(string sha) => _commits.TryRemove(sha, out _);

    /// <summary>The id GitHub gave the <paramref name="index"/>th inline comment of <paramref name="review"/>.</summary>
    public static long CommentId(PostedReview review, int index) => (review.Id * 1000) + index;

    private async Task<bool> LivingRouteAsync(HttpContext context, RecordedRequest request, FakePullRequest pr, string tail)
    {
        var parts = tail.Split('/');
        if (request.Method == "GET" && parts is ["reviews", var id, "comments"] && long.TryParse(id, out var reviewId))
        {
            var review = ReviewsOn(pr.Owner, pr.Repo, pr.Number).FirstOrDefault(r => r.Id == reviewId);
            if (review is null)
            {
                await Unexpected(context, request, 404, $"GET comments of review {reviewId}, which is not on {pr.Owner}/{pr.Repo}#{pr.Number}");
                return true;
            }

            await WritePageAsync(context, request, [.. review.Comments.Select((c, i) => ReviewCommentJson(review, c, i))], 30);
            return true;
        }

        return false;
    }

    private async Task<bool> CompareRouteAsync(HttpContext context, RecordedRequest request, string[] segments)
    {
        // repos/{owner}/{repo}/compare/{base}...{head}
        if (request.Method != "GET" || segments.Length != 5 || segments[0] != "repos" || segments[3] != "compare")
        {
            return false;
        }

        var range = Uri.UnescapeDataString(segments[4]).Split("...");
        if (range.Length != 2 || !_commits.TryGetValue(range[0], out var from) || !_commits.TryGetValue(range[1], out var to))
        {
            context.Response.StatusCode = 404;
            request.Status = 404;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync("""{"message":"Not Found","documentation_url":"https://docs.github.com/rest/commits/commits#compare-two-commits","status":"404"}""");
            return true;
        }

        var ahead = Ancestry(to).TakeWhile(c => c.Sha != from.Sha).ToList();
        var behind = Ancestry(from).TakeWhile(c => c.Sha != to.Sha).ToList();
        var reachesBase = Ancestry(to).Any(c => c.Sha == from.Sha);
        var reachesHead = Ancestry(from).Any(c => c.Sha == to.Sha);
        var (status, changedBy) = (from.Sha == to.Sha, reachesBase, reachesHead) switch
        {
            (true, _, _) => ("identical", new List<FakeCommit>()),
            (_, true, _) => ("ahead", ahead),
            (_, _, true) => ("behind", behind),
            _ => ("diverged", ahead.Concat(behind).ToList()),
        };
        var paths = changedBy.SelectMany(c => c.Changed).Distinct(StringComparer.Ordinal).Take(300).ToList();
        var owner = segments[1];
        var repo = segments[2];
        var json = new JsonObject
        {
            ["url"] = new Uri(ApiUrl, $"repos/{owner}/{repo}/compare/{from.Sha}...{to.Sha}").ToString(),
            ["html_url"] = $"https://github.com/{owner}/{repo}/compare/{from.Sha}...{to.Sha}",
            ["permalink_url"] = $"https://github.com/{owner}/{repo}/compare/{owner}:{from.Sha}...{owner}:{to.Sha}",
            ["diff_url"] = $"https://github.com/{owner}/{repo}/compare/{from.Sha}...{to.Sha}.diff",
            ["patch_url"] = $"https://github.com/{owner}/{repo}/compare/{from.Sha}...{to.Sha}.patch",
            ["base_commit"] = new JsonObject { ["sha"] = from.Sha },
            ["merge_base_commit"] = new JsonObject { ["sha"] = status == "diverged" ? Ancestry(to).FirstOrDefault(c => Ancestry(from).Any(f => f.Sha == c.Sha))?.Sha : from.Sha },
            ["status"] = status,
            ["ahead_by"] = status is "ahead" or "diverged" ? ahead.Count : 0,
            ["behind_by"] = status is "behind" or "diverged" ? behind.Count : 0,
            ["total_commits"] = status is "ahead" or "diverged" ? ahead.Count : 0,
            ["commits"] = new JsonArray([.. ahead.AsEnumerable().Reverse().Select(c => (JsonNode)new JsonObject { ["sha"] = c.Sha })]),
            ["files"] = new JsonArray([.. paths.Select(p => (JsonNode)new JsonObject
            {
                ["sha"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(to.Sha + p)))[..40],
                ["filename"] = p,
                ["status"] = "modified",
                ["additions"] = 1,
                ["deletions"] = 1,
                ["changes"] = 2,
            })]),
        };
        await WriteJsonAsync(context, request, json, cacheable: true);
        return true;
    }

    private IEnumerable<FakeCommit> Ancestry(FakeCommit commit)
    {
        for (FakeCommit? at = commit; at is not null; at = at.Parent is { } parent ? _commits.GetValueOrDefault(parent) : null)
        {
            yield return at;
        }
    }

    private JsonObject ReviewCommentJson(PostedReview review, PostedComment comment, int index)
    {
        var id = CommentId(review, index);
        return new JsonObject
        {
            ["url"] = new Uri(ApiUrl, $"repos/{review.Owner}/{review.Repo}/pulls/comments/{id}").ToString(),
            ["pull_request_review_id"] = review.Id,
            ["id"] = id,
            ["node_id"] = "PRRC_" + id.ToString(CultureInfo.InvariantCulture),
            ["diff_hunk"] = "@@",
            ["path"] = comment.Path,
            ["commit_id"] = review.CommitId,
            ["original_commit_id"] = review.CommitId,
            ["user"] = new JsonObject { ["login"] = "nectr-bot", ["id"] = 1, ["type"] = "User" },
            ["body"] = comment.Body,
            ["line"] = comment.Line,
            ["side"] = comment.Side,
            ["html_url"] = $"https://github.com/{review.Owner}/{review.Repo}/pull/{review.Number}#discussion_r{id}",
            ["pull_request_url"] = new Uri(ApiUrl, $"repos/{review.Owner}/{review.Repo}/pulls/{review.Number}").ToString(),
        };
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// GitHub's example <c>issue_comment</c> and <c>pull_request_review_comment</c> payloads moved onto the test's own
/// repository and PR. GitHub's issue_comment examples are all on issues; a comment on a pull request carries
/// <c>issue.pull_request</c>, which <see cref="OnPullRequest"/> adds as GitHub sends it.
/// </summary>
public static class CommentPayload
{
    public static byte[] OnPullRequest(string owner, string repo, long repoId, int number, long commentId, string body, string login,
        string type = "User", string fixture = "issue_comment.created.json", bool onIssue = false)
    {
        var root = Moved(fixture, owner, repo, repoId);
        var issue = root["issue"]!.AsObject();
        issue["number"] = number;
        if (onIssue)
        {
            issue.Remove("pull_request");
        }
        else
        {
            issue["pull_request"] = new JsonObject
            {
                ["url"] = $"https://api.github.com/repos/{owner}/{repo}/pulls/{number}",
                ["html_url"] = $"https://github.com/{owner}/{repo}/pull/{number}",
                ["diff_url"] = $"https://github.com/{owner}/{repo}/pull/{number}.diff",
                ["patch_url"] = $"https://github.com/{owner}/{repo}/pull/{number}.patch",
                ["merged_at"] = null,
            };
        }

        SetComment(root, commentId, body, login, type);
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    public static byte[] Inline(string owner, string repo, long repoId, int number, string headSha, long commentId, string body, string login,
        long? inReplyTo = null, string type = "User", string fixture = "pull_request_review_comment.created.json")
    {
        var root = Moved(fixture, owner, repo, repoId);
        var pr = root["pull_request"]!.AsObject();
        pr["number"] = number;
        pr["head"]!["sha"] = headSha;
        SetComment(root, commentId, body, login, type);
        if (inReplyTo is { } parent)
        {
            root["comment"]!["in_reply_to_id"] = parent;
        }

        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    private static JsonObject Moved(string fixture, string owner, string repo, long repoId)
    {
        var root = JsonNode.Parse(WebhookFixtures.Load(fixture))!.AsObject();
        var repository = root["repository"]!.AsObject();
        repository["id"] = repoId;
        repository["name"] = repo;
        repository["full_name"] = $"{owner}/{repo}";
        repository["owner"]!["login"] = owner;
        return root;
    }

    private static void SetComment(JsonObject root, long commentId, string body, string login, string type)
    {
        var comment = root["comment"]!.AsObject();
        comment["id"] = commentId;
        comment["body"] = body;
        comment["user"]!["login"] = login;
        comment["user"]!["type"] = type;
        root["sender"]!["login"] = login;
        root["sender"]!["type"] = type;
    }
}

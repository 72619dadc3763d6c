using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>A reaction Nectr put on a comment: <see cref="On"/> is "issue" (conversation) or "review" (inline).</summary>
public sealed record PostedReaction(string On, long CommentId, string Content);

/// <summary>An inline review comment: the first of a thread (<see cref="ReplyTo"/> null) or a reply in one.</summary>
public sealed record FakeInlineComment(long Id, string Owner, string Repo, int Number, string Body, string Login, long? ReplyTo);

// What PR comment commands use besides conversation comments (FakeGitHub.Comments.cs): the collaborator permission
// API, reactions on comments, and inline review comments with their replies. Every login has no access (404, as GitHub
// answers for an unknown user) until a test grants it.
public sealed partial class FakeGitHub
{
    private readonly Dictionary<string, (string Permission, string Role)> _permissions = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<PostedReaction> _reactions = [];
    private readonly List<FakeInlineComment> _inlineComments = [];
    private long _nextInlineCommentId = 2_500_000_000;
    private bool _commandRoutes;

    /// <summary>
    /// Gives <paramref name="login"/> a role on the repository: admin, maintain, write, triage or read. GitHub's
    /// <c>permission</c> field folds maintain into write and triage into read; <c>role_name</c> keeps it.
    /// </summary>
    public void SetPermission(string owner, string repo, string login, string role)
    {
        var permission = role switch { "maintain" => "write", "triage" => "read", _ => role };
        lock (_lock)
        {
            _permissions[$"{owner}/{repo}:{login}"] = (permission, role);
            EnsureCommandRoutes();
        }
    }

    /// <summary>Puts an inline comment on the PR as <paramref name="login"/> wrote it (one of Nectr's findings, say).</summary>
    public FakeInlineComment AddInlineComment(string owner, string repo, int number, string login, string body, long? replyTo = null)
    {
        lock (_lock)
        {
            EnsureCommandRoutes();
            var comment = new FakeInlineComment(++_nextInlineCommentId, owner, repo, number, body, login, replyTo);
            _inlineComments.Add(comment);
            return comment;
        }
    }

    public IReadOnlyList<PostedReaction> Reactions
    {
        get
        {
            lock (_lock)
            {
                return [.. _reactions];
            }
        }
    }

    /// <summary>The PR's inline comments, oldest first.</summary>
    public IReadOnlyList<FakeInlineComment> InlineCommentsOn(string owner, string repo, int number)
    {
        lock (_lock)
        {
            return [.. _inlineComments.Where(c => Key(c.Owner, c.Repo, c.Number) == Key(owner, repo, number))];
        }
    }

    private void EnsureCommandRoutes()
    {
        if (_commandRoutes)
        {
            return;
        }

        _commandRoutes = true;
        _extraRoutes.Add(new ExtraRoute(r => CommandRoute(r) is not null, (c, r) => Reporting(c, r, CommandRouteAsync), false));
    }

    private static string[]? CommandRoute(RecordedRequest request)
    {
        var s = request.Path.Trim('/').Split('/');
        var known = (request.Method, s) switch
        {
            ("GET", ["repos", _, _, "collaborators", _, "permission"]) => true,
            ("POST", ["repos", _, _, "issues" or "pulls", "comments", _, "reactions"]) => true,
            ("GET", ["repos", _, _, "pulls", _, "comments"]) => true,
            ("POST", ["repos", _, _, "pulls", _, "comments", _, "replies"]) => true,
            _ => false,
        };
        return known ? s : null;
    }

    private async Task CommandRouteAsync(HttpContext context, RecordedRequest request)
    {
        var s = CommandRoute(request)!;
        var (owner, repo) = (s[1], s[2]);
        switch (request.Method, s)
        {
            case ("GET", [.., "collaborators", var login, "permission"]):
                (string Permission, string Role)? granted;
                lock (_lock)
                {
                    granted = _permissions.TryGetValue($"{owner}/{repo}:{Uri.UnescapeDataString(login)}", out var p) ? p : null;
                }

                if (granted is not { } role)
                {
                    await WriteStatusAsync(context, request, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user"}""");
                    return;
                }

                await WriteJsonAsync(context, request, new JsonObject
                {
                    ["permission"] = role.Permission,
                    ["role_name"] = role.Role,
                    ["user"] = UserJson(Uri.UnescapeDataString(login)),
                }, cacheable: false);
                return;
            case ("POST", [.., var on, "comments", var id, "reactions"]):
                var content = (string)JsonNode.Parse(request.Body)!["content"]!;
                bool existed;
                lock (_lock)
                {
                    var reaction = new PostedReaction(on == "pulls" ? "review" : "issue", long.Parse(id, CultureInfo.InvariantCulture), content);
                    existed = _reactions.Contains(reaction);
                    if (!existed)
                    {
                        _reactions.Add(reaction);
                    }
                }

                // GitHub answers 201 for a new reaction and 200 for one the user already made.
                await WriteStatusAsync(context, request, existed ? 200 : 201, new JsonObject
                {
                    ["id"] = 1, ["node_id"] = "REA_fake", ["user"] = UserJson(ServiceLogin), ["content"] = content, ["created_at"] = "2026-12-02T08:00:00Z",
                }.ToJsonString());
                return;
            case ("POST", [.., "pulls", var n, "comments", var id, "replies"]):
                var number = int.Parse(n, CultureInfo.InvariantCulture);
                var parent = long.Parse(id, CultureInfo.InvariantCulture);
                if (!InlineCommentsOn(owner, repo, number).Any(c => c.Id == parent && c.ReplyTo is null))
                {
                    // GitHub replies only to a thread's first comment ("Replies to replies are not supported").
                    await Unexpected(context, request, 404, $"POST reply to {parent}, which is not the first comment of an inline thread on {owner}/{repo}#{n}");
                    return;
                }

                var reply = AddInlineComment(owner, repo, number, ServiceLogin, (string)JsonNode.Parse(request.Body)!["body"]!, parent);
                await WriteStatusAsync(context, request, 201, InlineCommentJson(reply).ToJsonString());
                return;
            case ("GET", [.., "pulls", var n, "comments"]):
                await WritePageAsync(context, request, [.. InlineCommentsOn(owner, repo, int.Parse(n, CultureInfo.InvariantCulture)).Select(InlineCommentJson)], 30);
                return;
            default:
                await Unexpected(context, request, 404, $"{request.Method} {request.PathAndQuery} is not a route of this fake");
                return;
        }
    }

    private static JsonObject InlineCommentJson(FakeInlineComment c)
    {
        var json = new JsonObject
        {
            ["id"] = c.Id,
            ["node_id"] = $"PRRC_fake{c.Id}",
            ["body"] = c.Body,
            ["user"] = UserJson(c.Login),
            ["created_at"] = "2026-12-02T08:00:00Z",
            ["updated_at"] = "2026-12-02T08:00:00Z",
            ["author_association"] = "MEMBER",
        };
        if (c.ReplyTo is { } parent)
        {
            json["in_reply_to_id"] = parent;
        }

        return json;
    }

    private static JsonObject UserJson(string login) => new()
    {
        ["login"] = login,
        ["id"] = 1_000 + Math.Abs(StringComparer.OrdinalIgnoreCase.GetHashCode(login) % 1_000_000),
        ["type"] = login.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User",
    };
}

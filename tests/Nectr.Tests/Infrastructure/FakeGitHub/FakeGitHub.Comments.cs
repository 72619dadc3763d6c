using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>An issue comment on a fake PR; <see cref="Body"/> changes when it is edited.</summary>
public sealed class FakeIssueComment
{
    public required long Id { get; init; }
    public required string Owner { get; init; }
    public required string Repo { get; init; }
    public required int Number { get; init; }
    public required string Login { get; init; }
    public required string Body { get; set; }
    public int Edits { get; set; }
}

// Issue comments on pull requests (GET/POST /repos/{owner}/{repo}/issues/{n}/comments, PATCH
// /repos/{owner}/{repo}/issues/comments/{id}), one review (GET /repos/{owner}/{repo}/pulls/{n}/reviews/{id}) and its
// dismissal (PUT …/dismissals), answered with @octokit/openapi's issue-comment and pull-request-review examples
// (Fixtures/rest/issues.get-comment.json, pulls.create-review.json). Comments posted with the service token are
// written by ServiceLogin; a comment or review that is not there is GitHub's 404, a second dismissal its 422.
public sealed partial class FakeGitHub
{
    private readonly ConcurrentDictionary<long, FakeIssueComment> _comments = new();
    private readonly ConcurrentDictionary<long, string> _reviewAuthors = new();
    private readonly ConcurrentDictionary<long, byte> _dismissed = new();
    private long _nextCommentId = 1_500_000_000;
    private int _failCommentPostsAfterCreate;

    /// <summary>The PR's issue comments, oldest first.</summary>
    public IReadOnlyList<FakeIssueComment> CommentsOn(string owner, string repo, int number) =>
        [.. _comments.Values.Where(c => Key(c.Owner, c.Repo, c.Number) == Key(owner, repo, number)).OrderBy(c => c.Id)];

    /// <summary>A comment someone (<paramref name="login"/>) wrote on the PR.</summary>
    public FakeIssueComment AddComment(string owner, string repo, int number, string login, string body)
    {
        var comment = new FakeIssueComment { Id = Interlocked.Increment(ref _nextCommentId), Owner = owner, Repo = repo, Number = number, Login = login, Body = body };
        _comments[comment.Id] = comment;
        return comment;
    }

    /// <summary>Someone deleted the comment on GitHub.</summary>
    public void DeleteComment(long id) => _comments.TryRemove(id, out _);

    /// <summary>The next <paramref name="count"/> comment POSTs create the comment and then answer 502, as a proxy timing out would.</summary>
    public void FailNextCommentPostsAfterCreating(int count)
    {
        lock (_lock)
        {
            _failCommentPostsAfterCreate = count;
        }
    }

    /// <summary>A review on the PR by <paramref name="login"/> (Nectr's own reviews are written by <see cref="ServiceLogin"/>).</summary>
    public PostedReview AddReview(string owner, string repo, int number, string @event, string login, string body = "")
    {
        PostedReview review;
        lock (_lock)
        {
            review = new PostedReview(++_nextReviewId, owner, repo, number, body, @event, new string('a', 40), []);
            _reviews.Add(review);
        }

        _reviewAuthors[review.Id] = login;
        return review;
    }

    /// <summary>Whether the review was dismissed.</summary>
    public bool IsDismissed(long reviewId) => _dismissed.ContainsKey(reviewId);

    private async Task<bool> CommentsRouteAsync(HttpContext context, RecordedRequest request, string[] segments)
    {
        if (segments.Length < 5 || segments[0] != "repos")
        {
            return false;
        }

        var (owner, repo) = (segments[1], segments[2]);
        switch (request.Method, segments[3..])
        {
            case ("GET", ["issues", var n, "comments"]) when Pull(owner, repo, n) is { } pr:
                await WritePageAsync(context, request, CommentsOn(pr.Owner, pr.Repo, pr.Number).Select(CommentJson).ToList(), 30);
                return true;
            case ("POST", ["issues", var n, "comments"]) when Pull(owner, repo, n) is { } pr:
                await CreateCommentAsync(context, request, pr);
                return true;
            case ("PATCH", ["issues", "comments", var id]) when long.TryParse(id, CultureInfo.InvariantCulture, out var commentId):
                if (!_comments.TryGetValue(commentId, out var comment) || Key(comment.Owner, comment.Repo, 0) != Key(owner, repo, 0))
                {
                    await WriteStatusAsync(context, request, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest/issues/comments#update-an-issue-comment","status":"404"}""");
                    return true;
                }

                comment.Body = (string)JsonNode.Parse(request.Body)!["body"]!;
                comment.Edits++;
                await WriteJsonAsync(context, request, CommentJson(comment), cacheable: false);
                return true;
            case ("GET", ["pulls", var n, "reviews", var id]) when Pull(owner, repo, n) is { } pr && Review(pr, id) is { } review:
                await WriteJsonAsync(context, request, ReviewWithAuthorJson(review), cacheable: false);
                return true;
            case ("PUT", ["pulls", var n, "reviews", var id, "dismissals"]) when Pull(owner, repo, n) is { } pr && Review(pr, id) is { } review:
                await DismissAsync(context, request, review);
                return true;
            case (_, ["pulls", var n, "reviews", _, ..]) when Pull(owner, repo, n) is not null:
                await WriteStatusAsync(context, request, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest/pulls/reviews","status":"404"}""");
                return true;
            default:
                return false;
        }
    }

    private FakePullRequest? Pull(string owner, string repo, string number) =>
        int.TryParse(number, CultureInfo.InvariantCulture, out var n) && _pulls.TryGetValue(Key(owner, repo, n), out var pr) ? pr : null;

    private PostedReview? Review(FakePullRequest pr, string id) =>
        long.TryParse(id, CultureInfo.InvariantCulture, out var reviewId) ? ReviewsOn(pr.Owner, pr.Repo, pr.Number).FirstOrDefault(r => r.Id == reviewId) : null;

    private async Task CreateCommentAsync(HttpContext context, RecordedRequest request, FakePullRequest pr)
    {
        var comment = AddComment(pr.Owner, pr.Repo, pr.Number, ServiceLogin, (string)JsonNode.Parse(request.Body)!["body"]!);
        bool failAfterCreate;
        lock (_lock)
        {
            failAfterCreate = _failCommentPostsAfterCreate > 0;
            if (failAfterCreate)
            {
                _failCommentPostsAfterCreate--;
            }
        }

        if (failAfterCreate)
        {
            context.Response.StatusCode = 502;
            request.Status = 502;
            await context.Response.WriteAsync(BadGatewayPage);
            return;
        }

        context.Response.StatusCode = 201;
        request.Status = 201;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.Location = new Uri(ApiUrl, $"repos/{pr.Owner}/{pr.Repo}/issues/comments/{comment.Id}").ToString();
        await context.Response.WriteAsync(CommentJson(comment).ToJsonString());
    }

    private async Task DismissAsync(HttpContext context, RecordedRequest request, PostedReview review)
    {
        if (review.Event != "REQUEST_CHANGES" || !_dismissed.TryAdd(review.Id, 0))
        {
            // GitHub's answer to dismissing a review that does not request changes (any more).
            await WriteUnprocessableAsync(context, request, "Can not dismiss a dismissed pull request review");
            return;
        }

        await WriteJsonAsync(context, request, ReviewWithAuthorJson(review), cacheable: false);
    }

    private JsonObject ReviewWithAuthorJson(PostedReview review)
    {
        var json = ReviewJson(review);
        json["user"]!["login"] = _reviewAuthors.GetValueOrDefault(review.Id, ServiceLogin);
        if (_dismissed.ContainsKey(review.Id))
        {
            json["state"] = "DISMISSED";
        }

        return json;
    }

    private JsonObject CommentJson(FakeIssueComment comment)
    {
        var json = CommentTemplates.Comment.DeepClone().AsObject();
        json["id"] = comment.Id;
        json["node_id"] = "IC_" + comment.Id.ToString(CultureInfo.InvariantCulture);
        json["url"] = new Uri(ApiUrl, $"repos/{comment.Owner}/{comment.Repo}/issues/comments/{comment.Id}").ToString();
        json["html_url"] = $"https://github.com/{comment.Owner}/{comment.Repo}/pull/{comment.Number}#issuecomment-{comment.Id}";
        json["issue_url"] = new Uri(ApiUrl, $"repos/{comment.Owner}/{comment.Repo}/issues/{comment.Number}").ToString();
        json["body"] = comment.Body;
        json["user"]!["login"] = comment.Login;
        json["user"]!["type"] = comment.Login.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User";
        return json;
    }

    /// <summary>Loaded on first use, like the other templates (a static field here could run before the fixtures' path is set).</summary>
    private static class CommentTemplates
    {
        public static readonly JsonObject Comment = LoadTemplate("issues.get-comment.json").AsObject();
    }
}

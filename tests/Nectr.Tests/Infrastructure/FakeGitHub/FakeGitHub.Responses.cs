using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

public sealed partial class FakeGitHub
{
    private static readonly string RestFixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "rest");
    private static readonly JsonObject PullTemplate = LoadTemplate("pulls.get.json").AsObject();
    private static readonly JsonObject FileTemplate = LoadTemplate("pulls.list-files.json")[0]!.AsObject();
    private static readonly JsonObject ReviewTemplate = LoadTemplate("pulls.create-review.json").AsObject();

    private static JsonNode LoadTemplate(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(RestFixtures, name)))!;

    private JsonObject PullRequestJson(FakePullRequest pr)
    {
        var json = PullTemplate.DeepClone().AsObject();
        var html = $"https://github.com/{pr.Owner}/{pr.Repo}/pull/{pr.Number}";
        json["url"] = new Uri(ApiUrl, $"repos/{pr.Owner}/{pr.Repo}/pulls/{pr.Number}").ToString();
        json["html_url"] = html;
        json["number"] = pr.Number;
        json["state"] = pr.State;
        json["draft"] = pr.Draft;
        json["title"] = pr.Title;
        if (pr.Body is not null)
        {
            json["body"] = pr.Body;
        }

        json["merged"] = pr.MergedAt is not null;
        json["merged_at"] = pr.MergedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        json["updated_at"] = pr.UpdatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        json["user"]!["login"] = pr.Author;
        json["changed_files"] = pr.ChangedFiles ?? pr.Files.Count;
        json["additions"] = pr.Files.Sum(f => Counts(f).Additions);
        json["deletions"] = pr.Files.Sum(f => Counts(f).Deletions);
        json["head"]!["sha"] = pr.HeadSha;
        json["head"]!["repo"]!["full_name"] = pr.HeadRepo ?? $"{pr.Owner}/{pr.Repo}";
        json["head"]!["ref"] = pr.HeadRef;
        json["base"]!["repo"]!["full_name"] = $"{pr.Owner}/{pr.Repo}";
        json["base"]!["repo"]!["default_branch"] = DefaultBranch;
        json["base"]!["ref"] = pr.BaseRef ?? DefaultBranch;
        return json;
    }

    private static JsonObject FileJson(FakeFile file)
    {
        var json = FileTemplate.DeepClone().AsObject();
        var (additions, deletions) = Counts(file);
        json["filename"] = file.Filename;
        json["status"] = file.Status;
        json["additions"] = additions;
        json["deletions"] = deletions;
        json["changes"] = additions + deletions;
        json["sha"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(file.Filename + file.Patch)))[..40];
        if (file.Patch is null)
        {
            json.Remove("patch"); // GitHub omits the patch for binaries and for diffs too large to show
        }
        else
        {
            json["patch"] = file.Patch;
        }

        if (file.PreviousFilename is not null)
        {
            json["previous_filename"] = file.PreviousFilename;
        }

        return json;
    }

    private static JsonObject ReviewJson(PostedReview review)
    {
        var json = ReviewTemplate.DeepClone().AsObject();
        json["id"] = review.Id;
        json["node_id"] = "PRR_" + review.Id.ToString(CultureInfo.InvariantCulture);
        json["body"] = review.Body;
        json["state"] = review.Event switch { "APPROVE" => "APPROVED", "REQUEST_CHANGES" => "CHANGES_REQUESTED", _ => "COMMENTED" };
        json["commit_id"] = review.CommitId;
        json["html_url"] = $"https://github.com/{review.Owner}/{review.Repo}/pull/{review.Number}#pullrequestreview-{review.Id}";
        json["submitted_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (review.Author is { } author)
        {
            json["user"]!["login"] = author;
            json["user"]!["type"] = author.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User";
        }
        return json;
    }

    private static (int Additions, int Deletions) Counts(FakeFile file)
    {
        var counted = PatchLines.Count(file.Patch);
        return (file.Additions >= 0 ? file.Additions : counted.Additions, file.Deletions >= 0 ? file.Deletions : counted.Deletions);
    }

    /// <summary>Writes JSON with an ETag; a matching If-None-Match gets 304 and no body, as on GitHub.</summary>
    private static async Task WriteJsonAsync(HttpContext context, RecordedRequest request, JsonNode json, bool cacheable)
    {
        var bytes = Encoding.UTF8.GetBytes(json.ToJsonString());
        var response = context.Response;
        if (cacheable)
        {
            var etag = "W/\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"";
            response.Headers.ETag = etag;
            if (context.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                response.StatusCode = 304;
                request.Status = 304;
                return;
            }
        }

        response.StatusCode = 200;
        request.Status = 200;
        response.ContentType = "application/json; charset=utf-8";
        await response.Body.WriteAsync(bytes);
    }

    /// <summary>Where the Link header's page URLs point; null (GitHub's behaviour) is this fake's own API address.</summary>
    public Uri? PageLinkBase { get; set; }

    /// <summary>GitHub's pagination: per_page (default 30, at most 100), page, and a Link header with next/last.</summary>
    private async Task WritePageAsync(HttpContext context, RecordedRequest request, List<JsonObject> items, int defaultPerPage)
    {
        var query = context.Request.Query;
        var perPage = int.TryParse(query["per_page"], out var pp) ? Math.Clamp(pp, 1, 100) : defaultPerPage;
        var page = int.TryParse(query["page"], out var p) ? Math.Max(1, p) : 1;
        var last = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var array = new JsonArray([.. items.Skip((page - 1) * perPage).Take(perPage)]);

        var links = new List<string>();
        string PageUrl(int n) => new Uri(PageLinkBase ?? ApiUrl, $"{request.Path.TrimStart('/')}?per_page={perPage}&page={n}").ToString();
        if (page < last)
        {
            links.Add($"<{PageUrl(page + 1)}>; rel=\"next\"");
            links.Add($"<{PageUrl(last)}>; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"<{PageUrl(1)}>; rel=\"first\"");
            links.Add($"<{PageUrl(page - 1)}>; rel=\"prev\"");
        }

        if (links.Count > 0)
        {
            context.Response.Headers["Link"] = string.Join(", ", links);
        }

        await WriteJsonAsync(context, request, array, cacheable: true);
    }

    private async Task CreateReviewAsync(HttpContext context, RecordedRequest request, FakePullRequest pr)
    {
        if (Validate(request.Body, pr) is { } error)
        {
            _unexpected.Enqueue($"POST review on {pr.Owner}/{pr.Repo}#{pr.Number} rejected: {error}");
            await WriteUnprocessableAsync(context, request, error);
            return;
        }

        if (TakeInlineRefusal(request.Body))
        {
            await WriteUnprocessableAsync(context, request, "Pull request review thread line must be part of the diff");
            return;
        }

        var body = JsonNode.Parse(request.Body)!.AsObject();
        var comments = (body["comments"]?.AsArray() ?? []).Select(c => new PostedComment(
            (string)c!["path"]!, (int)c["line"]!, (int?)c["start_line"], (string?)c["side"] ?? "RIGHT", (string)c["body"]!)).ToList();
        PostedReview review;
        bool failAfterCreate;
        lock (_lock)
        {
            review = new PostedReview(++_nextReviewId, pr.Owner, pr.Repo, pr.Number, (string?)body["body"] ?? "",
                (string?)body["event"] ?? "PENDING", (string?)body["commit_id"] ?? pr.HeadSha, comments) { Author = ActorOf(request) };
            _reviews.Add(review);
            failAfterCreate = _failPostsAfterCreate > 0;
            if (failAfterCreate)
            {
                _failPostsAfterCreate--;
            }
        }

        if (failAfterCreate)
        {
            context.Response.StatusCode = 502;
            request.Status = 502;
            await context.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>");
            return;
        }

        await WriteJsonAsync(context, request, ReviewJson(review), cacheable: false);
    }

    private bool TakeInlineRefusal(string raw)
    {
        lock (_lock)
        {
            if (_refuseInlineComments <= 0 || JsonNode.Parse(raw)?["comments"] is not JsonArray { Count: > 0 })
            {
                return false;
            }

            _refuseInlineComments--;
            return true;
        }
    }

    private static async Task WriteUnprocessableAsync(HttpContext context, RecordedRequest request, string error)
    {
        context.Response.StatusCode = 422;
        request.Status = 422;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            message = "Unprocessable Entity",
            errors = new[] { error },
            documentation_url = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
            status = "422",
        }));
    }

    /// <summary>The checks GitHub applies to a review: event, commit, and every comment on a line of the diff.</summary>
    private static string? Validate(string raw, FakePullRequest pr)
    {
        JsonObject body;
        try
        {
            body = JsonNode.Parse(raw)!.AsObject();
        }
        catch (JsonException)
        {
            return "Problems parsing JSON";
        }

        var @event = (string?)body["event"];
        if (@event is not ("APPROVE" or "REQUEST_CHANGES" or "COMMENT"))
        {
            return $"event must be APPROVE, REQUEST_CHANGES or COMMENT (got '{@event}')";
        }

        if ((string?)body["commit_id"] is not { Length: 40 })
        {
            return "commit_id must be a full commit SHA";
        }

        foreach (var comment in body["comments"]?.AsArray() ?? [])
        {
            var path = (string?)comment!["path"];
            var file = pr.Files.FirstOrDefault(f => f.Filename == path);
            if (file is null)
            {
                return $"Path could not be resolved: {path}";
            }

            var line = (int?)comment["line"];
            var start = (int?)comment["start_line"];
            var side = (string?)comment["side"] ?? "RIGHT";
            var hunks = PatchLines.Hunks(file.Patch);
            bool OnDiff(int l) => hunks.Any(h => (side == "LEFT" ? h.Left : h.Right).Contains(l));
            bool SameHunk(int a, int b) => hunks.Any(h => (side == "LEFT" ? h.Left : h.Right) is var set && set.Contains(a) && set.Contains(b));
            if (line is null || !OnDiff(line.Value) || (start is not null && (start >= line || !SameHunk(start.Value, line.Value))))
            {
                return $"Pull request review thread line must be part of the diff ({path}:{start?.ToString(CultureInfo.InvariantCulture) ?? ""}{(start is null ? "" : "-")}{line})";
            }
        }

        return null;
    }
}

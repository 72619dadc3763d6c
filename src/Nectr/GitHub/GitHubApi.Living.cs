using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Nectr.GitHub;

/// <summary>What a living pull request needs besides a review: the compare of two commits, a review's comments, its threads.</summary>
internal partial interface IGitHubApi
{
    /// <summary>
    /// <c>GET /repos/{o}/{r}/compare/{base}...{head}</c>: how <paramref name="head"/> relates to <paramref name="baseSha"/>
    /// and the files changed between them (GitHub lists at most 300). Null when GitHub answers 404: a commit is gone.
    /// </summary>
    Task<GitHubCompare?> CompareAsync(string owner, string repo, string baseSha, string head, CancellationToken cancellationToken);

    /// <summary>The inline comments of one review (<c>GET …/pulls/{n}/reviews/{id}/comments</c>), 100 per page.</summary>
    Task<IReadOnlyList<GitHubReviewComment>> ListReviewCommentsAsync(string owner, string repo, int number, long reviewId, CancellationToken cancellationToken);

    /// <summary>One page of the PR's review threads (GraphQL): each thread's id, whether it is resolved, and its first comment's id.</summary>
    Task<GitHubReviewThreadPage> ListReviewThreadsAsync(string owner, string repo, int number, string? after, CancellationToken cancellationToken);

    /// <summary>Resolves a review thread (GraphQL <c>resolveReviewThread</c>); true when GitHub says it is resolved.</summary>
    Task<bool> ResolveReviewThreadAsync(string threadId, CancellationToken cancellationToken);
}

internal sealed partial class GitHubApi
{
    private const string ThreadsQuery =
        "query($owner:String!,$name:String!,$number:Int!,$after:String){repository(owner:$owner,name:$name){pullRequest(number:$number){reviewThreads(first:100,after:$after){pageInfo{hasNextPage endCursor}nodes{id isResolved comments(first:1){nodes{databaseId}}}}}}}";

    private const string ResolveMutation =
        "mutation($threadId:ID!){resolveReviewThread(input:{threadId:$threadId}){thread{id isResolved}}}";

    public async Task<GitHubCompare?> CompareAsync(string owner, string repo, string baseSha, string head, CancellationToken cancellationToken)
    {
        var path = $"repos/{Escape(owner)}/{Escape(repo)}/compare/{Escape(baseSha)}...{Escape(head)}";
        using var request = Request(HttpMethod.Get, new Uri(path, UriKind.Relative));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, "GET", path, cancellationToken);
        return await ReadAsync(response, GitHubLivingJsonContext.Default.GitHubCompare, cancellationToken);
    }

    public Task<IReadOnlyList<GitHubReviewComment>> ListReviewCommentsAsync(string owner, string repo, int number, long reviewId, CancellationToken cancellationToken) =>
        GetAllPagesAsync($"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}/reviews/{reviewId}/comments?per_page=100",
            GitHubLivingJsonContext.Default.ListGitHubReviewComment, 10, cancellationToken);

    public async Task<GitHubReviewThreadPage> ListReviewThreadsAsync(string owner, string repo, int number, string? after, CancellationToken cancellationToken)
    {
        var data = await GraphQLAsync(ThreadsQuery, new JsonObject { ["owner"] = owner, ["name"] = repo, ["number"] = number, ["after"] = after }, cancellationToken);
        var threads = data["repository"]?["pullRequest"]?["reviewThreads"]
            ?? throw new GitHubApiException(HttpStatusCode.BadGateway, "POST", "graphql", "no reviewThreads in the answer");
        var nodes = threads["nodes"]?.AsArray() ?? [];
        var items = nodes.Where(n => n is not null).Select(n => new GitHubReviewThread(
            (string)n!["id"]!,
            (bool?)n["isResolved"] ?? false,
            n["comments"]?["nodes"]?.AsArray().FirstOrDefault()?["databaseId"] is { } id ? (long?)id : null)).ToList();
        var page = threads["pageInfo"];
        return new GitHubReviewThreadPage(items, (bool?)page?["hasNextPage"] == true ? (string?)page?["endCursor"] : null);
    }

    public async Task<bool> ResolveReviewThreadAsync(string threadId, CancellationToken cancellationToken)
    {
        var data = await GraphQLAsync(ResolveMutation, new JsonObject { ["threadId"] = threadId }, cancellationToken);
        return (bool?)data["resolveReviewThread"]?["thread"]?["isResolved"] == true;
    }

    /// <summary>
    /// One GraphQL call; GitHub answers 200 with an <c>errors</c> array when the query fails, which is an error here.
    /// GraphQL lives beside the REST base: <c>https://api.github.com/graphql</c>, or <c>https://host/api/graphql</c>
    /// on GitHub Enterprise Server, whose REST base is <c>https://host/api/v3/</c>.
    /// </summary>
    private async Task<JsonNode> GraphQLAsync(string query, JsonObject variables, CancellationToken cancellationToken)
    {
        var payload = new JsonObject { ["query"] = query, ["variables"] = variables };
        using var request = Request(HttpMethod.Post, GraphQLUri(http.BaseAddress));
        request.Content = new StringContent(payload.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "POST", "graphql", cancellationToken);
        var answer = await ReadAsync(response, GitHubLivingJsonContext.Default.JsonNode, cancellationToken);
        if (answer["errors"] is JsonArray { Count: > 0 } errors)
        {
            var messages = string.Join("; ", errors.Select(e => (string?)e?["message"] ?? "?").Take(3));
            throw new GitHubApiException(HttpStatusCode.UnprocessableEntity, "POST", "graphql", messages);
        }

        return answer["data"] ?? throw new GitHubApiException(HttpStatusCode.BadGateway, "POST", "graphql", "no data in the answer");
    }

    internal static Uri GraphQLUri(Uri? restBase)
    {
        var baseUri = restBase ?? new Uri("https://api.github.com/");
        return baseUri.AbsolutePath.EndsWith("/api/v3/", StringComparison.OrdinalIgnoreCase) || baseUri.AbsolutePath.EndsWith("/api/v3", StringComparison.OrdinalIgnoreCase)
            ? new Uri(baseUri, "/api/graphql")
            : new Uri(baseUri, "graphql");
    }
}

internal sealed partial class ScopedGitHubApi
{
    public Task<GitHubCompare?> CompareAsync(string owner, string repo, string baseSha, string head, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.CompareAsync(owner, repo, baseSha, head, cancellationToken));

    public Task<IReadOnlyList<GitHubReviewComment>> ListReviewCommentsAsync(string owner, string repo, int number, long reviewId, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ListReviewCommentsAsync(owner, repo, number, reviewId, cancellationToken));

    public Task<GitHubReviewThreadPage> ListReviewThreadsAsync(string owner, string repo, int number, string? after, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ListReviewThreadsAsync(owner, repo, number, after, cancellationToken));

    public Task<bool> ResolveReviewThreadAsync(string threadId, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ResolveReviewThreadAsync(threadId, cancellationToken));
}

/// <summary>The fields of GitHub's compare answer Nectr reads: <c>status</c> is ahead, behind, diverged or identical.</summary>
internal sealed record GitHubCompare(string Status, int AheadBy, int BehindBy, IReadOnlyList<GitHubCompareFile>? Files);

internal sealed record GitHubCompareFile(string Filename, string Status, string? PreviousFilename);

/// <summary>
/// A review (inline) comment: Nectr's own, found again by its marker; a command's, answered in its thread.
/// <see cref="InReplyToId"/> is its thread's first comment when it is a reply.
/// </summary>
internal sealed record GitHubReviewComment(long Id, string? NodeId, string Path, string? Body, GitHubUser? User, long? InReplyToId = null);

internal sealed record GitHubReviewThread(string Id, bool IsResolved, long? FirstCommentId);

/// <summary>One page of threads; <see cref="Next"/> is the cursor of the next page, null on the last.</summary>
internal sealed record GitHubReviewThreadPage(IReadOnlyList<GitHubReviewThread> Threads, string? Next);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GitHubCompare))]
[JsonSerializable(typeof(List<GitHubReviewComment>))]
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class GitHubLivingJsonContext : JsonSerializerContext;

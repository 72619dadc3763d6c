using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Nectr.Auth;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Sync;

namespace Nectr.Knowledge;

/// <summary>
/// The knowledge index over HTTP, for a repository the caller can see (any other is 404, as if it did not exist):
/// <c>GET /api/v1/repos/{owner}/{repo}/files</c> (the file map), <c>GET …/graph</c> (co-change graph) and
/// <c>POST …/rescan</c> (queue the backfill again; antiforgery). Shapes follow the original Nectr's.
/// </summary>
internal static partial class KnowledgeEndpoints
{
    /// <summary>Graph bounds: the most touched files as nodes, the heaviest co-change pairs among them as links.</summary>
    public const int GraphNodes = 200;
    public const int GraphLinks = 500;

    public static IEndpointRouteBuilder MapKnowledge(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/repos/{owner}/{repo}").RequireNectrUser(TypedResults.Unauthorized);
        group.MapGet("/files", FilesAsync);
        group.MapGet("/graph", GraphAsync);
        // Antiforgery is checked in the handler so the refusal is this API's ProblemDetails.
        group.MapPost("/rescan", RescanAsync);
        return app;
    }

    private static async Task<Results<Ok<FilesResponse>, ProblemHttpResult>> FilesAsync(
        NectrUser user, IDbContextFactory<NectrDb> dbs, RepositoryFiles files, ILoggerFactory logs, string owner, string repo, CancellationToken cancellationToken)
    {
        if (await VisibleAsync(dbs, user.Id, owner, repo, cancellationToken) is not { } name)
        {
            return NotFound(owner, repo);
        }

        try
        {
            var listing = await files.ListAsync(name, cancellationToken);
            return TypedResults.Ok(new FilesResponse(name, listing.DefaultBranch, listing.Files, listing.Files.Count, listing.Total, listing.Truncated));
        }
        catch (GitHubRateLimitedException ex)
        {
            return TypedResults.Problem($"GitHub's rate limit is reached; the file map can be read again after {ex.Until:u}.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "GitHub rate limit");
        }
        catch (Exception ex) when (ex is GitHubApiException or GitHubTokenUnavailableException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.TreeFailed(logs.CreateLogger(typeof(KnowledgeEndpoints)), GitHubFailures.TraceOf(ex), name, ex.Message);
            return TypedResults.Problem($"Nectr could not read the file tree of {name} from GitHub. Try again later.",
                statusCode: StatusCodes.Status502BadGateway, title: "GitHub request failed");
        }
    }

    private static async Task<Results<Ok<GraphResponse>, ProblemHttpResult>> GraphAsync(
        NectrUser user, IDbContextFactory<NectrDb> dbs, KnowledgeAnalytics analytics, string owner, string repo, CancellationToken cancellationToken)
    {
        if (await VisibleAsync(dbs, user.Id, owner, repo, cancellationToken) is not { } name)
        {
            return NotFound(owner, repo);
        }

        var graph = await analytics.CoChangeAsync(name, GraphNodes, GraphLinks, cancellationToken);
        return TypedResults.Ok(new GraphResponse(name,
            [.. graph.Nodes.Select(n => new GraphNode(n.Path, FileLanguages.Of(n.Path), n.PullRequests))],
            [.. graph.Links.Select(l => new GraphLink(l.Source, l.Target, l.Weight))]));
    }

    private static async Task<Results<Accepted<RescanResponse>, ProblemHttpResult>> RescanAsync(
        HttpContext context, IAntiforgery antiforgery, NectrUser user, IDbContextFactory<NectrDb> dbs, RepositorySync sync, string owner, string repo, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        if (await VisibleAsync(dbs, user.Id, owner, repo, cancellationToken) is not { } name)
        {
            return NotFound(owner, repo);
        }

        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Repositories.AnyAsync(r => r.FullName == name && r.Connected, cancellationToken))
            {
                return TypedResults.Problem($"{name} is not connected to Nectr; connect it first (POST /api/v1/repos/{name}/install), which starts the backfill.",
                    statusCode: StatusCodes.Status409Conflict, title: "Repository not connected");
            }
        }

        await sync.EnqueueAsync(name, KnowledgeBackfill.KindName, cancellationToken);
        return TypedResults.Accepted((string?)null, new RescanResponse("queued", name, KnowledgeBackfill.KindName));
    }

    /// <summary>The repository's full name as stored, when the user may see it; null otherwise (so: 404).</summary>
    private static async Task<string?> VisibleAsync(IDbContextFactory<NectrDb> dbs, long userId, string owner, string repo, CancellationToken cancellationToken)
    {
        if (!GitHubNames.IsOwner(owner) || !GitHubNames.IsRepository(repo))
        {
            return null;
        }

        var lowered = $"{owner}/{repo}".ToLowerInvariant();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        // lower() is what both providers translate; the StringComparison overloads CA1862 suggests are not.
#pragma warning disable CA1862
        return await db.UserRepositories.AsNoTracking()
            .Where(a => a.UserId == userId && a.RepositoryFullName.ToLower() == lowered)
            .Select(a => a.RepositoryFullName)
            .FirstOrDefaultAsync(cancellationToken);
#pragma warning restore CA1862
    }

    private static ProblemHttpResult NotFound(string owner, string repo) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Repository not found", detail: $"No repository {owner}/{repo} among the repositories you can see.");

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not read the file tree of {Repository} for the file map: {Reason}")]
        public static partial void TreeFailed(ILogger logger, Exception? exception, string repository, string reason);
    }
}

/// <summary>The file map: <see cref="Count"/> files listed of <see cref="Total"/> in the tree; <see cref="Truncated"/> when some are missing.</summary>
internal sealed record FilesResponse(string Repo, string DefaultBranch, IReadOnlyList<RepositoryFile> Files, int Count, int Total, bool Truncated);

internal sealed record GraphNode(string Id, string Language, int PrCount);

internal sealed record GraphLink(string Source, string Target, int Weight);

internal sealed record GraphResponse(string Repo, IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphLink> Links);

internal sealed record RescanResponse(string Status, string Repo, string Kind);

using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Nectr.Auth;
using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.Memory;

/// <summary>
/// <c>GET|POST /api/v1/memory</c>, <c>GET /api/v1/memory/stats</c>, <c>GET|PATCH|DELETE /api/v1/memory/{id}</c>,
/// <c>POST /api/v1/memory/rescan</c>: the
/// project memory of the caller's repositories. The work is in <see cref="MemoryStore"/>.
/// </summary>
internal static class MemoryEndpoints
{
    public static IHostApplicationBuilder AddMemory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MemoryStore>();
        builder.Services.AddScoped<MemoryExtraction>();
        builder.Services.AddScoped<MemoryRetrieval>();
        builder.Services.AddScoped<ProjectScan>();
        builder.Services.AddScoped<Sync.IRepositorySyncTask>(sp => sp.GetRequiredService<ProjectScan>());
        return builder;
    }

    public static IEndpointRouteBuilder MapMemory(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/memory").RequireNectrUser(TypedResults.Unauthorized);
        group.MapGet("", ListAsync);
        group.MapGet("/stats", StatsAsync);
        group.MapGet("/{id:long}", GetAsync);
        // Antiforgery is checked in the handlers (as in EventsEndpoints) so the refusal is this API's ProblemDetails.
        group.MapPost("", CreateAsync);
        group.MapPatch("/{id:long}", UpdateAsync);
        group.MapDelete("/{id:long}", DeleteAsync);
        group.MapPost("/rescan", RescanAsync);
        return app;
    }

    private static async Task<Results<Ok<PageOf<MemoryView>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        NectrUser user,
        MemoryStore store,
        string? repo,
        [FromQuery(Name = "memory_type")] string? memoryType,
        int? page,
        [FromQuery(Name = "per_page")] int? perPage,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = MemoryRequests.Repo(repo, errors);
        var type = memoryType is null ? null : MemoryRequests.Type(memoryType, "memory_type", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await store.ListAsync(user.Id, name!, type, PageRequest.From(page, perPage), cancellationToken) is { } list
            ? TypedResults.Ok(list)
            : RepositoryNotFound(name!);
    }

    private static async Task<Results<Ok<MemoryStats>, ValidationProblem, ProblemHttpResult>> StatsAsync(
        NectrUser user, MemoryStore store, string? repo, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (MemoryRequests.Repo(repo, errors) is not { } name)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await store.StatsAsync(user.Id, name, cancellationToken) is { } stats ? TypedResults.Ok(stats) : RepositoryNotFound(name);
    }

    private static async Task<Results<Ok<MemoryView>, ProblemHttpResult>> GetAsync(NectrUser user, MemoryStore store, long id, CancellationToken cancellationToken) =>
        await store.GetAsync(user.Id, id, cancellationToken) is { } memory ? TypedResults.Ok(memory) : NotFound(id);

    /// <summary>201 with a new memory, or 200 with the existing near-duplicate it updated.</summary>
    private static async Task<Results<Created<MemoryView>, Ok<MemoryView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, MemoryStore store, CancellationToken cancellationToken)
    {
        var (draft, refused, invalid) = await AcceptAsync<MemoryDraft>(context, antiforgery, MemoryRequests.ToDraft, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (draft is null)
        {
            return invalid!;
        }

        return await store.CreateAsync(user.Id, draft, cancellationToken) switch
        {
            MemorySaveResult.Created created => TypedResults.Created($"/api/v1/memory/{created.Memory.Id}", created.Memory),
            MemorySaveResult.Merged merged => TypedResults.Ok(merged.Memory),
            MemorySaveResult.NotConnected notConnected => NotConnected(notConnected.Repo),
            MemorySaveResult.Full full => TypedResults.Problem(
                $"{full.Repo} keeps {full.Max} memories, the most a repository may (MEMORY_MAX_PER_REPOSITORY). Delete ones that no longer hold (DELETE /api/v1/memory/{{id}}, or the Memory page), then add this one.",
                statusCode: StatusCodes.Status409Conflict, title: "Repository memory is full"),
            _ => RepositoryNotFound(draft.Repo),
        };
    }

    private static async Task<Results<Ok<MemoryView>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, MemoryStore store, long id, CancellationToken cancellationToken)
    {
        var (patch, refused, invalid) = await AcceptAsync<MemoryPatch>(context, antiforgery, MemoryRequests.ToPatch, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (patch is null)
        {
            return invalid!;
        }

        return await store.UpdateAsync(user.Id, id, patch, cancellationToken) is { } memory ? TypedResults.Ok(memory) : NotFound(id);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, MemoryStore store, long id, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        return await store.DeleteAsync(user.Id, id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);
    }

    /// <summary>
    /// Runs the project scan now (a handful of bounded GitHub reads) and answers with the <c>project_map</c> memories it
    /// stored in place of the old ones. 404 for a repository the caller cannot see, 409 when Nectr is not connected to it,
    /// 502 when GitHub could not be read (the old map stays).
    /// </summary>
    private static async Task<Results<Ok<ProjectScanView>, ValidationProblem, ProblemHttpResult>> RescanAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, MemoryStore store, ProjectScan scan, string? repo, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        var errors = new Dictionary<string, string[]>();
        if (MemoryRequests.Repo(repo, errors) is not { } name)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (access, fullName) = await store.AccessAsync(user.Id, name, cancellationToken);
        if (access != MemoryAccess.Connected)
        {
            return access == MemoryAccess.NotFound ? RepositoryNotFound(name) : NotConnected(fullName);
        }

        try
        {
            var result = await scan.ScanAsync(fullName, cancellationToken);
            return result.Memories is { } memories
                ? TypedResults.Ok(new ProjectScanView(result.Repository, result.DefaultBranch, result.FilesRead, memories))
                : NotConnected(fullName);
        }
        catch (Exception ex) when (ex is GitHubApiException or HttpRequestException or GitHubRateLimitedException)
        {
            return TypedResults.Problem($"GitHub could not be read for {fullName}; the project map is unchanged. Try again in a moment.",
                statusCode: StatusCodes.Status502BadGateway, title: "GitHub unavailable");
        }
    }

    private static ProblemHttpResult NotConnected(string repo) => TypedResults.Problem(
        $"Nectr keeps memories only for the repositories it reviews. Connect {repo} first (POST /api/v1/repos/{repo}/install, or the Repositories page).",
        statusCode: StatusCodes.Status409Conflict, title: "Repository not connected");

    /// <summary>
    /// What a state-changing call checks first, in order: the antiforgery token, then a readable JSON body, then the
    /// fields (<paramref name="convert"/> names each bad one). Exactly one of the three results is set.
    /// </summary>
    private static async Task<(T? Request, ProblemHttpResult? Refused, ValidationProblem? Invalid)> AcceptAsync<T>(
        HttpContext context, IAntiforgery antiforgery, Func<System.Text.Json.JsonElement, Dictionary<string, string[]>, T?> convert, CancellationToken cancellationToken)
        where T : class
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return (null, Antiforgery.Rejected(), null);
        }

        var (body, refusal) = await MemoryRequests.ReadAsync(context.Request, cancellationToken);
        if (refusal is not null)
        {
            return (null, refusal, null);
        }

        var errors = new Dictionary<string, string[]>();
        return convert(body, errors) is { } request ? (request, null, null) : (null, null, TypedResults.ValidationProblem(errors));
    }

    // Not visible and not there look the same: a 403 would confirm that a private repository has memories.
    private static ProblemHttpResult NotFound(long id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Memory not found", detail: $"No memory {id} in the repositories you can see.");

    private static ProblemHttpResult RepositoryNotFound(string repo) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Repository not found",
        detail: $"{repo} is not among the repositories you can see. If it is new to you on GitHub, list your repositories again (GET /api/v1/repos) so Nectr learns of it.");
}

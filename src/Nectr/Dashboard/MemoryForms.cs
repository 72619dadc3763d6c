using Microsoft.AspNetCore.Antiforgery;
using Nectr.Auth;
using Nectr.GitHub;
using Nectr.Memory;

namespace Nectr.Dashboard;

/// <summary>
/// The Memory page's buttons: HTML form posts (antiforgery token required) that go through <see cref="MemoryStore"/>
/// and <see cref="ProjectScan"/>, as the API does, and redirect back to the repository's memories with a notice code.
/// </summary>
internal static class MemoryForms
{
    public static IEndpointRouteBuilder MapMemoryForms(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/memory").RequireNectrUser(Antiforgery.Rejected).DisableAntiforgery(); // validated explicitly below
        group.MapPost("/add", (HttpContext c, NectrUser user, MemoryStore store) => WithAntiforgeryAsync(c, ct => AddAsync(c.Request.Form, user, store, ct)));
        group.MapPost("/{id:long}/edit", (HttpContext c, NectrUser user, long id, MemoryStore store) => WithAntiforgeryAsync(c, ct => EditAsync(c.Request.Form, user, id, store, ct)));
        group.MapPost("/{id:long}/delete", (HttpContext c, NectrUser user, long id, MemoryStore store) => WithAntiforgeryAsync(c, async ct =>
        {
            var memory = await store.GetAsync(user.Id, id, ct);
            return memory is not null && await store.DeleteAsync(user.Id, id, ct) ? Back(memory.Repository, "deleted") : Back(Repo(c.Request.Form), "not_found");
        }));
        group.MapPost("/rescan", (HttpContext c, NectrUser user, MemoryStore store, ProjectScan scan) => WithAntiforgeryAsync(c, ct => RescanAsync(c.Request.Form, user, store, scan, ct)));
        return app;
    }

    private static async Task<string> AddAsync(IFormCollection form, NectrUser user, MemoryStore store, CancellationToken cancellationToken)
    {
        var repo = Repo(form);
        var errors = new Dictionary<string, string[]>();
        var name = MemoryRequests.Repo(repo, errors);
        var type = MemoryRequests.Type(form["memory_type"].ToString(), "memory_type", errors);
        var content = MemoryRequests.Content(form["content"].ToString(), errors);
        var developer = MemoryRequests.FormDeveloper(form["developer"], errors);
        if (errors.Count > 0)
        {
            return Back(repo, "invalid");
        }

        return await store.CreateAsync(user.Id, new MemoryDraft(name!, type!, content!, developer), cancellationToken) switch
        {
            MemorySaveResult.Created created => Back(created.Memory.Repository, "added"),
            MemorySaveResult.Merged merged => Back(merged.Memory.Repository, "merged"),
            MemorySaveResult.NotConnected notConnected => Back(notConnected.Repo, "not_connected"),
            MemorySaveResult.Full full => Back(full.Repo, "full"),
            _ => Back(null, "repo_not_found"),
        };
    }

    private static async Task<string> EditAsync(IFormCollection form, NectrUser user, long id, MemoryStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var type = MemoryRequests.Type(form["memory_type"].ToString(), "memory_type", errors);
        var content = MemoryRequests.Content(form["content"].ToString(), errors);
        var developer = MemoryRequests.FormDeveloper(form["developer"], errors);
        if (errors.Count > 0)
        {
            return Back(Repo(form), "invalid");
        }

        return await store.UpdateAsync(user.Id, id, new MemoryPatch(type, content, true, developer), cancellationToken) is { } memory
            ? Back(memory.Repository, "updated")
            : Back(Repo(form), "not_found");
    }

    private static async Task<string> RescanAsync(IFormCollection form, NectrUser user, MemoryStore store, ProjectScan scan, CancellationToken cancellationToken)
    {
        var repo = Repo(form);
        if (repo is null || !GitHubNames.IsFullName(repo))
        {
            return Back(null, "repo_not_found");
        }

        var (access, fullName) = await store.AccessAsync(user.Id, repo, cancellationToken);
        if (access != MemoryAccess.Connected)
        {
            return Back(access == MemoryAccess.NotFound ? null : fullName, access == MemoryAccess.NotFound ? "repo_not_found" : "not_connected");
        }

        try
        {
            var result = await scan.ScanAsync(fullName, cancellationToken);
            return Back(fullName, result.Memories is null ? "not_connected" : "rescanned");
        }
        catch (Exception ex) when (ex is GitHubApiException or HttpRequestException or GitHubRateLimitedException)
        {
            return Back(fullName, "rescan_failed");
        }
    }

    private static string? Repo(IFormCollection form) => form["repo"].ToString() is { Length: > 0 } repo ? repo : null;

    /// <summary>Back to the repository's memories (only a well-formed name goes into the URL) with a notice code.</summary>
    private static string Back(string? repo, string notice) =>
        repo is not null && GitHubNames.IsFullName(repo)
            ? $"/memory?repo={Uri.EscapeDataString(repo)}&notice={notice}"
            : $"/memory?notice={notice}";

    private static async Task<IResult> WithAntiforgeryAsync(HttpContext context, Func<CancellationToken, Task<string>> action)
    {
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        // 303 See Other: the browser follows with a GET, so reloading the page does not post again.
        context.Response.Headers.Location = await action(context.RequestAborted);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Nectr.Auth;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Repos;

namespace Nectr.RepoConfig;

/// <summary>
/// <c>GET|PUT /api/v1/repos/{owner}/{repo}/settings</c>: the dashboard's overrides of a repository's review settings,
/// in <c>.nectr.yml</c>'s shape and checked by the same schema. GET shows the effective settings and where each value
/// came from (the file on the default branch wins over the dashboard per key); PUT needs antiforgery and admin rights
/// on the repository, as GitHub says with the user's own token, like connecting it does.
/// </summary>
internal static class RepoSettingsEndpoints
{
    public static IEndpointRouteBuilder MapRepoSettings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/repos/{owner}/{repo}/settings").RequireNectrUser(SignInAgain);
        group.MapGet("", GetAsync);
        group.MapPut("", PutAsync);
        return app;
    }

    private static async Task<Results<Ok<RepoSettingsView>, ProblemHttpResult>> GetAsync(
        NectrUser user, RepoSettingsService settings, string owner, string repo, CancellationToken cancellationToken) =>
        await settings.ReadAsync(user.Id, owner, repo, cancellationToken) switch
        {
            SettingsResult.Shown shown => TypedResults.Ok(shown.View),
            var other => Problem(other),
        };

    private static async Task<Results<Ok<RepoSettingsView>, ProblemHttpResult>> PutAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, RepoSettingsService settings, string owner, string repo, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Auth.Antiforgery.Rejected();
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return TypedResults.Problem("The body must be a JSON object in .nectr.yml's shape (see docs/nectr.schema.json).", statusCode: StatusCodes.Status400BadRequest, title: "Invalid settings");
        }

        return await settings.WriteAsync(user.Id, owner, repo, body, cancellationToken) switch
        {
            SettingsResult.Shown shown => TypedResults.Ok(shown.View),
            var other => Problem(other),
        };
    }

    internal static ProblemHttpResult Problem(SettingsResult result) => result switch
    {
        SettingsResult.Invalid i => TypedResults.Problem($"The settings do not fit .nectr.yml's schema: {i.Problem}.", statusCode: StatusCodes.Status422UnprocessableEntity, title: "Invalid settings"),
        SettingsResult.NotAdmin n => TypedResults.Problem($"Changing the review settings of {n.FullName} needs admin rights on the repository.", statusCode: StatusCodes.Status403Forbidden, title: "Admin rights required"),
        SettingsResult.NotFound n => TypedResults.Problem($"GitHub does not show you {n.FullName}, or Nectr has not seen it yet: connect it first.", statusCode: StatusCodes.Status404NotFound, title: "Repository not found"),
        SettingsResult.GitHubFailed f => TypedResults.Problem($"{f.Message}. Nothing was changed; try again later.", statusCode: StatusCodes.Status502BadGateway, title: "GitHub request failed"),
        _ => SignInAgain(),
    };

    private static ProblemHttpResult SignInAgain() => TypedResults.Problem(
        "Nectr has no usable GitHub token for you (it expired or was revoked). Sign in with GitHub again.",
        statusCode: StatusCodes.Status401Unauthorized, title: "Sign in again");
}

internal abstract record SettingsResult
{
    public sealed record Shown(RepoSettingsView View) : SettingsResult;
    public sealed record Invalid(string Problem) : SettingsResult;
    public sealed record NotAdmin(string FullName) : SettingsResult;
    public sealed record NotFound(string FullName) : SettingsResult;
    public sealed record GitHubFailed(string Message) : SettingsResult;
    public sealed record SignInRequired : SettingsResult;
}

/// <summary>What GET and PUT answer: the dashboard's overrides, the effective settings with their sources, and whether the caller may edit.</summary>
internal sealed record RepoSettingsView(
    string Repository,
    string DefaultBranch,
    bool CanEdit,
    string? FileProblem,
    RepoSettings Overrides,
    IReadOnlyDictionary<string, EffectiveSetting> Effective);

/// <summary>One key's effective value; <see cref="Source"/> is <c>file</c>, <c>dashboard</c> or <c>server</c>.</summary>
internal sealed record EffectiveSetting(JsonNode? Value, string Source);

/// <summary>Reads and writes the dashboard's overrides (the one writer of <c>repositories.SettingsOverridesJson</c>).</summary>
internal sealed class RepoSettingsService(UserGitHubFactory users, IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, IServiceScopeFactory scopes)
{
    public Task<SettingsResult> ReadAsync(long userId, string owner, string repo, CancellationToken cancellationToken) =>
        WithRepositoryAsync(userId, owner, repo, admin: false, (repository, _) => ViewAsync(repository, cancellationToken), cancellationToken);

    public Task<SettingsResult> WriteAsync(long userId, string owner, string repo, JsonNode? body, CancellationToken cancellationToken) =>
        WithRepositoryAsync(userId, owner, repo, admin: true, async (repository, record) =>
        {
            if (body is not JsonObject)
            {
                return new SettingsResult.Invalid("the body must be a JSON object");
            }

            var checkedSettings = NectrConfigFile.Check(body);
            if (checkedSettings.Problem is { } problem)
            {
                return new SettingsResult.Invalid(problem);
            }

            var json = JsonSerializer.Serialize(checkedSettings.Settings!, RepoSettingsJsonContext.Default.RepoSettings);
            using (await writeGate.EnterAsync(cancellationToken))
            {
                await using var db = await dbs.CreateDbContextAsync(cancellationToken);
                await db.Repositories.Where(r => r.Id == record.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.SettingsOverridesJson, json == "{}" ? null : json), cancellationToken);
            }

            return await ViewAsync(repository, cancellationToken);
        }, cancellationToken);

    private async Task<SettingsResult> WithRepositoryAsync(
        long userId, string owner, string repo, bool admin, Func<GitHubRepository, RepositoryRecord, Task<SettingsResult>> action, CancellationToken cancellationToken)
    {
        var fullName = $"{owner}/{repo}";
        if (!GitHubNames.IsOwner(owner) || !GitHubNames.IsRepository(repo))
        {
            return new SettingsResult.NotFound(fullName);
        }

        if (await users.ForUserAsync(userId, cancellationToken) is not { } client)
        {
            return new SettingsResult.SignInRequired();
        }

        GitHubRepository repository;
        try
        {
            repository = await client.GetRepositoryAsync(owner, repo, cancellationToken);
        }
        catch (GitHubApiException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return new SettingsResult.NotFound(fullName);
        }
        catch (GitHubApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            return new SettingsResult.SignInRequired();
        }
        catch (GitHubApiException ex)
        {
            return new SettingsResult.GitHubFailed(ex.Message);
        }

        if (admin && repository.Permissions is not { Admin: true })
        {
            return new SettingsResult.NotAdmin(repository.FullName);
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var record = await db.Repositories.AsNoTracking().FirstOrDefaultAsync(r => r.FullName == repository.FullName, cancellationToken);
        return record is null ? new SettingsResult.NotFound(repository.FullName) : await action(repository, record);
    }

    private async Task<SettingsResult> ViewAsync(GitHubRepository repository, CancellationToken cancellationToken)
    {
        var (owner, name) = (repository.FullName[..repository.FullName.IndexOf('/', StringComparison.Ordinal)], repository.FullName[(repository.FullName.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        await using var scope = scopes.CreateAsyncScope();
        var loader = scope.ServiceProvider.GetRequiredService<RepoConfigLoader>();
        EffectiveConfig config;
        try
        {
            var branch = repository.DefaultBranch ?? (await scope.ServiceProvider.GetRequiredService<IGitHubApi>().GetRepositoryInfoAsync(owner, name, cancellationToken)).DefaultBranch;
            config = await loader.LoadAsync(owner, name, branch, cancellationToken);
        }
        catch (GitHubApiException ex)
        {
            return new SettingsResult.GitHubFailed(ex.Message);
        }

        var overrides = await loader.DashboardAsync(repository.FullName, cancellationToken) ?? RepoSettings.Empty;
        return new SettingsResult.Shown(new RepoSettingsView(
            repository.FullName, config.DefaultBranch, repository.Permissions is { Admin: true }, config.Problem, overrides, Describe(config)));
    }

    private static Dictionary<string, EffectiveSetting> Describe(EffectiveConfig config) => new(StringComparer.Ordinal)
    {
        ["ignore"] = Entry(config.Ignore),
        ["path_instructions"] = Entry(config.PathInstructions),
        ["severity_threshold"] = Entry(config.SeverityThreshold),
        ["max_inline_comments"] = Entry(config.MaxInlineComments),
        ["profile"] = Entry(config.Profile),
        ["language"] = Entry(config.Language),
        ["blocking"] = Entry(config.Blocking),
        ["review_drafts"] = Entry(config.ReviewDrafts),
        ["auto_review.enabled"] = Entry(config.AutoReviewEnabled),
        ["auto_review.base_branches"] = Entry(config.BaseBranches),
        ["forks"] = Entry(config.Forks),
    };

    /// <summary>The overrides as the dashboard's text box shows them: indented JSON, which is also YAML; empty when none.</summary>
    public static string ToText(RepoSettings overrides)
    {
        var json = JsonSerializer.SerializeToNode(overrides, RepoSettingsJsonContext.Default.RepoSettings)!.AsObject();
        return json.Count == 0 ? "" : json.ToJsonString(Indented);
    }

    /// <summary>The dashboard form's text (YAML or JSON) as the JSON value PUT takes; an empty text clears the overrides.</summary>
    public static (JsonNode? Json, string? Problem) ParseForm(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (new JsonObject(), null);
        }

        var parsed = NectrConfigFile.Parse(text);
        return parsed.Settings is { } settings
            ? (JsonSerializer.SerializeToNode(settings, RepoSettingsJsonContext.Default.RepoSettings), null)
            : (null, parsed.Problem);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static EffectiveSetting Entry<T>(ConfigValue<T> value) =>
        new(JsonSerializer.SerializeToNode(value.Value, JsonOptions), value.Source.ToString().ToLowerInvariant());

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

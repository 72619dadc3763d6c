using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>A repository of the fake, and who may see (and administer) it.</summary>
public sealed class FakeRepository
{
    public required long Id { get; init; }
    public required string Owner { get; init; }
    public required string Name { get; init; }
    public bool Private { get; init; }
    public string FullName => $"{Owner}/{Name}";

    /// <summary>User token → admin.</summary>
    internal Dictionary<string, bool> Access { get; } = new(StringComparer.Ordinal);
}

/// <summary>A webhook on a fake repository, with the secret in clear as GitHub holds it (never returned by the API).</summary>
public sealed record FakeHook(long Id, string Owner, string Repo, string Name, bool Active, IReadOnlyList<string> Events, string? Url, string? ContentType, string? InsecureSsl, string? Secret);

// Repositories and webhooks as a user's OAuth token sees them: GET /user/repos (paginated), GET /repos/{o}/{r}
// with the caller's permissions, and webhook CRUD, which (like GitHub) answers 404 to anyone but an admin.
public sealed partial class FakeGitHub
{
    private readonly List<FakeRepository> _repositories = [];
    private readonly List<FakeHook> _hooks = [];
    private long _nextHookId = 500_000;
    private bool _repoRoutes;

    /// <summary>Adds a repository; give users access with <see cref="Grant"/>.</summary>
    public FakeRepository AddRepository(string owner, string name, long id, bool isPrivate = false)
    {
        var repository = new FakeRepository { Id = id, Owner = owner, Name = name, Private = isPrivate };
        lock (_lock)
        {
            _repositories.Add(repository);
            if (!_repoRoutes)
            {
                _repoRoutes = true;
                AddRoute(r => r.Path == "/user/repos", (c, r) => Reporting(c, r, ListUserRepositoriesAsync));
                AddRoute(IsRepositoryRoute, (c, r) => Reporting(c, r, RepositoryRouteAsync));
            }
        }

        return repository;
    }

    /// <summary>Lets the holder of <paramref name="token"/> see the repository (and administer it when <paramref name="admin"/>).</summary>
    public void Grant(string token, FakeRepository repository, bool admin)
    {
        AcceptToken(token);
        lock (_lock)
        {
            repository.Access[token] = admin;
        }
    }

    public FakeRepository RepositoryNamed(string fullName)
    {
        lock (_lock)
        {
            return _repositories.Single(r => Same(r.FullName, fullName));
        }
    }

    /// <summary>A hook that already exists on GitHub (made by hand, or by an earlier Nectr that lost track of it).</summary>
    public FakeHook AddHook(string owner, string repo, string url, string? secret, params string[] events)
    {
        lock (_lock)
        {
            var hook = new FakeHook(++_nextHookId, owner, repo, "web", true, events.Length == 0 ? ["push"] : events, url, "json", "0", secret);
            _hooks.Add(hook);
            return hook;
        }
    }

    public IReadOnlyList<FakeHook> HooksOn(string owner, string repo)
    {
        lock (_lock)
        {
            return _hooks.Where(h => Same(h.Owner, owner) && Same(h.Repo, repo)).ToList();
        }
    }

    /// <summary>A bug in the fake shows up in the test's failure, not as an anonymous 500.</summary>
    private async Task Reporting(HttpContext context, RecordedRequest request, Func<HttpContext, RecordedRequest, Task> handle)
    {
        try
        {
            await handle(context, request);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            _unexpected.Enqueue($"{request.Method} {request.PathAndQuery} failed in the fake: {ex}");
            await WriteStatusAsync(context, request, 500, new JsonObject { ["message"] = "fake failed: " + ex.GetType().Name + ": " + ex.Message }.ToJsonString());
        }
    }

    private static bool IsRepositoryRoute(RecordedRequest request)
    {
        var segments = request.Path.Trim('/').Split('/');
        return segments[0] == "repos" && (segments.Length == 3 || (segments.Length is 4 or 5 && segments[3] == "hooks"));
    }

    private async Task ListUserRepositoriesAsync(HttpContext context, RecordedRequest request)
    {
        var token = BearerToken(request);
        List<JsonObject> items;
        lock (_lock)
        {
            items = _repositories.Where(r => r.Access.ContainsKey(token)).OrderBy(r => r.Id).Select(r => RepositoryJson(r, r.Access[token])).ToList();
        }

        await WritePageAsync(context, request, items, 30);
    }

    private async Task RepositoryRouteAsync(HttpContext context, RecordedRequest request)
    {
        var segments = request.Path.Trim('/').Split('/');
        var token = BearerToken(request);
        FakeRepository? repository;
        bool admin;
        lock (_lock)
        {
            repository = _repositories.FirstOrDefault(r => Same(r.Owner, segments[1]) && Same(r.Name, segments[2]) && r.Access.ContainsKey(token));
            admin = repository is not null && repository.Access[token];
        }

        if (token == Token && request.Method == "GET" && segments.Length == 3)
        {
            // The service's own token (GITHUB_PAT) reads the repository for its default branch.
            await WriteJsonAsync(context, request, ServiceRepositoryJson(segments[1], segments[2]), cacheable: false);
            return;
        }

        // GitHub hides a repository the caller cannot see, and the webhooks of one they do not administer, behind 404.
        if (repository is null || (segments.Length > 3 && !admin))
        {
            await WriteStatusAsync(context, request, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}""");
            return;
        }

        long? hookId = segments.Length == 5 && long.TryParse(segments[4], CultureInfo.InvariantCulture, out var id) ? id : null;
        switch (request.Method, segments.Length, hookId)
        {
            case ("GET", 3, _):
                await WriteJsonAsync(context, request, RepositoryJson(repository, admin), cacheable: false);
                return;
            case ("GET", 4, _):
                await WritePageAsync(context, request, HooksOn(repository.Owner, repository.Name).Select(HookJson).ToList(), 30);
                return;
            case ("POST", 4, _):
                await CreateHookAsync(context, request, repository);
                return;
            case ("PATCH", 5, { } patchId):
                await UpdateHookAsync(context, request, repository, patchId);
                return;
            case ("DELETE", 5, { } deleteId):
                bool removed;
                lock (_lock)
                {
                    removed = _hooks.RemoveAll(h => h.Id == deleteId && Same(h.Owner, repository.Owner) && Same(h.Repo, repository.Name)) > 0;
                }

                await WriteStatusAsync(context, request, removed ? 204 : 404, removed ? null : """{"message":"Not Found"}""");
                return;
            default:
                await Unexpected(context, request, 404, $"{request.Method} {request.PathAndQuery} is not a repository route of this fake");
                return;
        }
    }

    private async Task CreateHookAsync(HttpContext context, RecordedRequest request, FakeRepository repository)
    {
        var body = JsonNode.Parse(request.Body)!.AsObject();
        var config = body["config"]?.AsObject();
        if (config?["url"] is null)
        {
            await WriteStatusAsync(context, request, 422, """{"message":"Validation Failed","errors":[{"resource":"Hook","code":"custom","message":"Config must contain URL for webhooks"}]}""");
            return;
        }

        FakeHook hook;
        lock (_lock)
        {
            hook = new FakeHook(++_nextHookId, repository.Owner, repository.Name, (string?)body["name"] ?? "web", (bool?)body["active"] ?? true,
                body["events"]?.AsArray().Select(e => (string)e!).ToList() ?? ["push"],
                (string?)config["url"], (string?)config["content_type"] ?? "form", (string?)config["insecure_ssl"] ?? "0", (string?)config["secret"]);
            _hooks.Add(hook);
        }

        context.Response.Headers.Location = new Uri(ApiUrl, $"repos/{repository.FullName}/hooks/{hook.Id}").ToString();
        context.Response.StatusCode = 201;
        request.Status = 201;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(HookJson(hook).ToJsonString());
    }

    private async Task UpdateHookAsync(HttpContext context, RecordedRequest request, FakeRepository repository, long hookId)
    {
        var body = JsonNode.Parse(request.Body)!.AsObject();
        FakeHook? hook;
        lock (_lock)
        {
            var index = _hooks.FindIndex(h => h.Id == hookId && Same(h.Owner, repository.Owner) && Same(h.Repo, repository.Name));
            hook = index < 0 ? null : _hooks[index];
            if (hook is not null)
            {
                var config = body["config"]?.AsObject();
                hook = hook with
                {
                    Active = (bool?)body["active"] ?? hook.Active,
                    Events = body["events"]?.AsArray().Select(e => (string)e!).ToList() ?? hook.Events,
                    Url = (string?)config?["url"] ?? hook.Url,
                    ContentType = (string?)config?["content_type"] ?? hook.ContentType,
                    InsecureSsl = (string?)config?["insecure_ssl"] ?? hook.InsecureSsl,
                    Secret = config?.ContainsKey("secret") == true ? (string?)config["secret"] : hook.Secret,
                };
                _hooks[index] = hook;
            }
        }

        if (hook is null)
        {
            await WriteStatusAsync(context, request, 404, """{"message":"Not Found"}""");
            return;
        }

        await WriteJsonAsync(context, request, HookJson(hook), cacheable: false);
    }

    private JsonObject RepositoryJson(FakeRepository repository, bool admin)
    {
        var json = RepoTemplates.Repository.DeepClone().AsObject();
        json["id"] = repository.Id;
        json["name"] = repository.Name;
        json["full_name"] = repository.FullName;
        json["private"] = repository.Private;
        json["owner"]!["login"] = repository.Owner;
        json["html_url"] = $"https://github.com/{repository.FullName}";
        json["url"] = new Uri(ApiUrl, $"repos/{repository.FullName}").ToString();
        json["permissions"] = new JsonObject { ["admin"] = admin, ["push"] = admin, ["pull"] = true };
        json["default_branch"] = DefaultBranch;
        return json;
    }

    private JsonObject HookJson(FakeHook hook)
    {
        var json = RepoTemplates.Hook.DeepClone().AsObject();
        var url = new Uri(ApiUrl, $"repos/{hook.Owner}/{hook.Repo}/hooks/{hook.Id}").ToString();
        json["id"] = hook.Id;
        json["name"] = hook.Name;
        json["active"] = hook.Active;
        json["events"] = new JsonArray([.. hook.Events.Select(e => JsonValue.Create(e))]);
        var config = new JsonObject { ["content_type"] = hook.ContentType, ["insecure_ssl"] = hook.InsecureSsl, ["url"] = hook.Url };
        if (hook.Secret is not null)
        {
            config["secret"] = "********"; // GitHub never returns a webhook secret
        }

        json["config"] = config;
        json["url"] = url;
        json["test_url"] = url + "/test";
        json["ping_url"] = url + "/pings";
        json["deliveries_url"] = url + "/deliveries";
        return json;
    }

    private static async Task WriteStatusAsync(HttpContext context, RecordedRequest request, int status, string? json)
    {
        context.Response.StatusCode = status;
        request.Status = status;
        if (json is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(json);
        }
    }

    private static string BearerToken(RecordedRequest request)
    {
        var header = request.Headers.GetValueOrDefault("Authorization") ?? "";
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : header.StartsWith("token ", StringComparison.Ordinal) ? header[6..] : "";
    }

    // A nested class: static initialisers of partial files run in no defined order, and these need RestFixtures.
    private static class RepoTemplates
    {
        public static readonly JsonObject Repository = LoadTemplate("repos.get.json").AsObject();
        public static readonly JsonObject Hook = LoadTemplate("repos.get-webhook.json").AsObject();
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Nectr.Webhooks;

namespace Nectr.GitHubApp;

/// <summary>
/// The GitHub App Nectr asks GitHub to create (GitHub's manifest flow): what it may do and which events it hears.
/// The same manifest is published as <c>docs/github-app-manifest.json</c> for creating the App by hand; a test keeps
/// the two equal apart from the URLs.
/// </summary>
internal static class AppManifest
{
    /// <summary>Where GitHub sends the browser back with the code: <c>{BACKEND_URL}/settings/github-app/callback</c>.</summary>
    public const string CallbackPath = "/settings/github-app/callback";

    /// <summary>
    /// The least the review needs: read the code, write reviews and comments on pull requests, the summary comment and
    /// reactions on issues (a PR is an issue), and check runs. Metadata is read by every App.
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Permissions =
    [
        new("checks", "write"),
        new("contents", "read"),
        new("issues", "write"),
        new("metadata", "read"),
        new("pull_requests", "write"),
    ];

    /// <summary>
    /// The events Nectr acts on (<c>check_run</c>: the Re-run button of its check run). <c>installation</c> and
    /// <c>installation_repositories</c> come to every App without asking.
    /// </summary>
    public static readonly IReadOnlyList<string> Events = ["check_run", "issue_comment", "issues", "pull_request", "pull_request_review_comment"];

    /// <summary>
    /// The manifest for a Nectr at <paramref name="backendUrl"/>. Not public: an App anyone could install would review
    /// their code with this Nectr's model keys, so it installs only on the account (or organisation) that owns it.
    /// </summary>
    public static JsonObject For(Uri backendUrl, string name)
    {
        var backend = backendUrl.ToString().TrimEnd('/');
        var permissions = new JsonObject();
        foreach (var (scope, level) in Permissions)
        {
            permissions[scope] = level;
        }

        return new JsonObject
        {
            ["name"] = name,
            ["url"] = backend,
            ["hook_attributes"] = new JsonObject { ["url"] = backend + WebhookEndpoints.Path, ["active"] = true },
            ["redirect_url"] = backend + CallbackPath,
            ["public"] = false,
            ["default_permissions"] = permissions,
            ["default_events"] = new JsonArray([.. Events.Select(e => (JsonNode)e)]),
        };
    }

    /// <summary>The manifest as the form field carries it.</summary>
    public static string Json(Uri backendUrl, string name) => For(backendUrl, name).ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    /// <summary>
    /// A default App name from the Nectr's host: App names are unique on GitHub, so two Nectrs need two names. GitHub
    /// allows 34 characters; the user can change it on GitHub's page before creating the App.
    /// </summary>
    public static string DefaultName(Uri backendUrl)
    {
        var name = "Nectr " + backendUrl.Host;
        return name.Length <= 34 ? name : name[..34];
    }
}

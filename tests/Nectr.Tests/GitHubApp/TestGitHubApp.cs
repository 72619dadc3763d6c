using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHubApp;

/// <summary>
/// A GitHub App for tests: one RSA key pair (the private half goes to Nectr as GITHUB_APP_PRIVATE_KEY, the public half
/// to the fake GitHub, which verifies every JWT with it), the App's webhook secret, and deliveries signed as the App's.
/// </summary>
internal static class TestGitHubApp
{
    public const long AppId = 310_452;
    public const string Slug = "nectr-test";
    public const string Bot = Slug + "[bot]";
    public const string WebhookSecret = "app-webhook-secret-7d2e9f";
    public const long InstallationId = 55_000_101;

    private static readonly Lazy<(string Private, string Public)> Keys = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return (rsa.ExportPkcs8PrivateKeyPem(), rsa.ExportSubjectPublicKeyInfoPem());
    });

    public static string PrivateKeyPem => Keys.Value.Private;

    public static string PublicKeyPem => Keys.Value.Public;

    /// <summary>Nectr's settings for this App (the multi-line PEM as text); <paramref name="slug"/> false leaves GITHUB_APP_SLUG unset, so Nectr asks GET /app.</summary>
    public static Dictionary<string, string?> Settings(bool slug = true, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["GITHUB_APP_ID"] = AppId.ToString(CultureInfo.InvariantCulture),
            ["GITHUB_APP_PRIVATE_KEY"] = PrivateKeyPem,
            ["GITHUB_APP_WEBHOOK_SECRET"] = WebhookSecret,
        };
        if (slug)
        {
            settings["GITHUB_APP_SLUG"] = Slug;
        }

        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The fake GitHub knows the App (by its public key) and has it installed on <paramref name="repositories"/>.</summary>
    public static FakeGitHubApp EnableOn(FakeGitHub github, params string[] repositories)
    {
        var app = github.EnableApp(AppId, Slug, PublicKeyPem);
        foreach (var repository in repositories)
        {
            github.Install(repository, InstallationId);
        }

        return app;
    }

    /// <summary>A delivery as GitHub sends an App's: target type integration, target id the App's id, signed with <paramref name="secret"/>.</summary>
    public static HttpRequestMessage Delivery(string eventName, byte[] body, string secret = WebhookSecret, long appId = AppId)
    {
        var request = SignedDelivery.Create(eventName, body, secret);
        request.Headers.Remove("X-GitHub-Hook-Installation-Target-Type");
        request.Headers.Remove("X-GitHub-Hook-Installation-Target-ID");
        request.Headers.Add("X-GitHub-Hook-Installation-Target-Type", "integration");
        request.Headers.Add("X-GitHub-Hook-Installation-Target-ID", appId.ToString(CultureInfo.InvariantCulture));
        return request;
    }

    /// <summary>GitHub's check_run.rerequested example, about <paramref name="owner"/>/<paramref name="repo"/>#<paramref name="number"/> at <paramref name="headSha"/>.</summary>
    public static byte[] Rerequested(string owner, string repo, long repoId, int number, string headSha, long appId = AppId, string name = "Nectr", string sender = "octocat")
    {
        var root = JsonNode.Parse(WebhookFixtures.Load("check_run.rerequested.json"))!.AsObject();
        var repository = root["repository"]!.AsObject();
        repository["id"] = repoId;
        repository["name"] = repo;
        repository["full_name"] = $"{owner}/{repo}";
        repository["owner"]!["login"] = owner;
        var run = root["check_run"]!.AsObject();
        run["name"] = name;
        run["head_sha"] = headSha;
        run["app"]!["id"] = appId;
        run["pull_requests"] = new JsonArray(new JsonObject
        {
            ["url"] = $"https://api.github.com/repos/{owner}/{repo}/pulls/{number}",
            ["id"] = 1000 + number,
            ["number"] = number,
            ["head"] = new JsonObject { ["ref"] = "feature", ["sha"] = headSha, ["repo"] = new JsonObject { ["id"] = repoId, ["url"] = "", ["name"] = repo } },
            ["base"] = new JsonObject { ["ref"] = "main", ["sha"] = new string('0', 40), ["repo"] = new JsonObject { ["id"] = repoId, ["url"] = "", ["name"] = repo } },
        });
        root["sender"]!["login"] = sender;
        root["installation"] = new JsonObject { ["id"] = InstallationId };
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }
}

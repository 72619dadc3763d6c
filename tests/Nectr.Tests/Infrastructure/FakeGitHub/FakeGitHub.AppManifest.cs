using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// GitHub's manifest flow, the API half: <c>POST /app-manifests/{code}/conversions</c> turns a code (valid once) into
/// the new App with its private key and secrets, in the shape GitHub documents. The call carries no token.
/// </summary>
public sealed partial class FakeGitHub
{
    private readonly ConcurrentDictionary<string, FakeCreatedApp> _manifestCodes = new(StringComparer.Ordinal);

    /// <summary>GitHub created <paramref name="app"/> from the manifest and will hand it over once for <paramref name="code"/>.</summary>
    public void AddManifestCode(string code, FakeCreatedApp app)
    {
        if (_manifestCodes.IsEmpty)
        {
            AddRoute(r => r.Method == "POST" && r.Path.StartsWith("/app-manifests/", StringComparison.Ordinal), ConvertManifestAsync, anonymous: true);
        }

        _manifestCodes[code] = app;
    }

    private Task ConvertManifestAsync(HttpContext context, RecordedRequest request) => Reporting(context, request, async (c, r) =>
    {
        if (c.Request.Headers.Authorization.Count > 0)
        {
            _unexpected.Enqueue($"{r.Method} {r.Path} sent an Authorization header: the manifest conversion needs none, and no token should travel with it");
        }

        var code = Uri.UnescapeDataString(r.Path.Split('/')[2]);
        if (!_manifestCodes.TryRemove(code, out var app))
        {
            await WriteStatusAsync(c, r, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest"}""");
            return;
        }

        var json = new JsonObject
        {
            ["id"] = app.Id,
            ["slug"] = app.Slug,
            ["node_id"] = "MDM6QXBwNTk=",
            ["owner"] = new JsonObject { ["login"] = "mona", ["id"] = 1, ["type"] = "User" },
            ["name"] = app.Name,
            ["description"] = "",
            ["external_url"] = "https://nectr.example.com",
            ["html_url"] = $"https://github.com/apps/{app.Slug}",
            ["created_at"] = "2026-12-02T08:00:00Z",
            ["updated_at"] = "2026-12-02T08:00:00Z",
            ["permissions"] = new JsonObject { ["pull_requests"] = "write", ["contents"] = "read", ["issues"] = "write", ["checks"] = "write", ["metadata"] = "read" },
            ["events"] = new JsonArray("issue_comment", "issues", "pull_request", "pull_request_review_comment"),
            ["client_id"] = "Iv1.8a61f9b3a7aba766",
            ["client_secret"] = app.ClientSecret,
            ["webhook_secret"] = app.WebhookSecret,
            ["pem"] = app.Pem,
        };
        await WriteStatusAsync(c, r, 201, json.ToJsonString());
    });
}

/// <summary>An App the fake GitHub created from a manifest, with a real RSA key.</summary>
public sealed record FakeCreatedApp(long Id, string Slug, string Name, string Pem, string ClientSecret, string WebhookSecret)
{
    public static FakeCreatedApp Create(long id, string slug)
    {
        using var rsa = RSA.Create(2048);
        return new FakeCreatedApp(id, slug, "Nectr test", rsa.ExportRSAPrivateKeyPem(),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)));
    }
}

using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>A GitHub App as the fake knows it: only its PUBLIC key, to verify the JWTs Nectr signs.</summary>
public sealed class FakeGitHubApp
{
    public required long Id { get; init; }
    public required string Slug { get; init; }
    public required RSA PublicKey { get; init; }

    /// <summary>How long an installation token lives (GitHub: one hour).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Repository full name → the installation that covers it.</summary>
    internal ConcurrentDictionary<string, long> Installations { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string BotLogin => Slug + "[bot]";
}

/// <summary>An installation token the fake issued, and until when it is valid.</summary>
public sealed record IssuedToken(string Token, long InstallationId, DateTimeOffset ExpiresAt);

// GitHub as a GitHub App sees it: /app… calls authenticated with an RS256 JWT that the fake VERIFIES with the App's
// public key (signature, iat/exp bounds, iss), installation tokens with an expires_at, and repository calls accepted
// only with a current installation token, made as <slug>[bot].
public sealed partial class FakeGitHub
{
    private readonly ConcurrentDictionary<string, IssuedToken> _installationTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IssuedToken> _issued = new();

    /// <summary>The fake's clock for token expiry and JWT bounds; a test shares a <c>FakeTimeProvider</c> with the app.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public FakeGitHubApp? App { get; private set; }

    /// <summary>Every installation token issued, in order.</summary>
    public IReadOnlyList<IssuedToken> IssuedTokens => [.. _issued];

    /// <summary>Makes this GitHub know an App whose JWTs verify with <paramref name="publicKeyPem"/>.</summary>
    public FakeGitHubApp EnableApp(long appId, string slug, string publicKeyPem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(publicKeyPem);
        var app = new FakeGitHubApp { Id = appId, Slug = slug, PublicKey = rsa };
        App = app;
        AddRoute(r => r.Method == "GET" && r.Path == "/app", (c, r) => AsApp(c, r, GetAppAsync), anonymous: true);
        AddRoute(r => r.Method == "POST" && r.Path.StartsWith("/app/installations/", StringComparison.Ordinal) && r.Path.EndsWith("/access_tokens", StringComparison.Ordinal),
            (c, r) => AsApp(c, r, CreateInstallationTokenAsync), anonymous: true);
        AddRoute(r => r.Method == "GET" && r.Path.StartsWith("/repos/", StringComparison.Ordinal) && r.Path.EndsWith("/installation", StringComparison.Ordinal) && r.Path.Count(ch => ch == '/') == 4,
            (c, r) => AsApp(c, r, RepositoryInstallationAsync), anonymous: true);
        return app;
    }

    /// <summary>Installs the App on <paramref name="fullName"/> as <paramref name="installationId"/>.</summary>
    public void Install(string fullName, long installationId) => App!.Installations[fullName] = installationId;

    /// <summary>Who a request acts as: the App's bot for an installation token, the service user for <see cref="Token"/>.</summary>
    internal string? ActorOf(RecordedRequest request)
    {
        var header = request.Headers.GetValueOrDefault("Authorization") ?? "";
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : header.StartsWith("token ", StringComparison.Ordinal) ? header[6..] : "";
        return _installationTokens.ContainsKey(token) ? App?.BotLogin : token == Token ? ServiceLogin : null;
    }

    /// <summary>An installation token that is issued and not expired (by <see cref="Clock"/>).</summary>
    private bool CurrentInstallationToken(string token) =>
        _installationTokens.TryGetValue(token, out var issued) && Clock.GetUtcNow() < issued.ExpiresAt;

    /// <summary>Whether a request carries an installation token (check runs can only be written by an App).</summary>
    internal bool ByInstallation(RecordedRequest request) => ActorOf(request) is { } actor && actor == App?.BotLogin;

    private async Task AsApp(HttpContext context, RecordedRequest request, Func<HttpContext, RecordedRequest, Task> handle)
    {
        if (VerifyJwt(request.Headers.GetValueOrDefault("Authorization")) is { } problem)
        {
            await Unexpected(context, request, 401, $"{request.Method} {request.Path}: the App JWT was refused: {problem}");
            return;
        }

        WriteRateHeaders(context.Response, remaining: 4999);
        await Reporting(context, request, handle);
    }

    /// <summary>GitHub's checks of an App JWT: RS256 signed by the App's key, iat not in the future, exp ahead by at most 10 minutes, iss the App's id.</summary>
    internal string? VerifyJwt(string? authorization)
    {
        if (App is not { } app || authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return "no Bearer JWT";
        }

        var parts = authorization[7..].Split('.');
        if (parts.Length != 3)
        {
            return "not a JWT (three dot-separated parts)";
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            if (header.RootElement.GetProperty("alg").GetString() != "RS256")
            {
                return "alg is not RS256";
            }

            if (!app.PublicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return "signature does not verify with the App's public key";
            }

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var claims = payload.RootElement;
            var now = Clock.GetUtcNow().ToUnixTimeSeconds();
            var iat = claims.GetProperty("iat").GetInt64();
            var exp = claims.GetProperty("exp").GetInt64();
            var iss = claims.GetProperty("iss");
            var issuer = iss.ValueKind == JsonValueKind.Number ? iss.GetInt64().ToString(CultureInfo.InvariantCulture) : iss.GetString();
            return iat > now ? "iat is in the future"
                : exp <= now ? "the JWT has expired"
                : exp > now + 600 ? "exp is more than 10 minutes ahead"
                : exp - iat > 660 ? "exp − iat is over 10 minutes (plus the 60 s backdate)"
                : issuer != app.Id.ToString(CultureInfo.InvariantCulture) ? $"iss '{issuer}' is not the App's id"
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException or CryptographicException)
        {
            return "unreadable JWT: " + ex.Message;
        }
    }

    private async Task GetAppAsync(HttpContext context, RecordedRequest request)
    {
        var app = App!;
        await WriteStatusAsync(context, request, 200, new JsonObject
        {
            ["id"] = app.Id,
            ["slug"] = app.Slug,
            ["node_id"] = "A_fake" + app.Id.ToString(CultureInfo.InvariantCulture),
            ["name"] = app.Slug,
            ["owner"] = new JsonObject { ["login"] = "octo-org", ["id"] = 1, ["type"] = "Organization" },
            ["permissions"] = new JsonObject { ["checks"] = "write", ["pull_requests"] = "write" },
            ["events"] = new JsonArray("pull_request", "check_run"),
        }.ToJsonString());
    }

    private async Task CreateInstallationTokenAsync(HttpContext context, RecordedRequest request)
    {
        var id = long.Parse(request.Path.Split('/')[3], CultureInfo.InvariantCulture);
        if (!App!.Installations.Values.Contains(id))
        {
            await Unexpected(context, request, 404, $"POST access_tokens for installation {id}, which does not exist");
            return;
        }

        var token = new IssuedToken("ghs_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(18)), id, Clock.GetUtcNow() + App.TokenLifetime);
        _installationTokens[token.Token] = token;
        _issued.Enqueue(token);
        await WriteStatusAsync(context, request, 201, new JsonObject
        {
            ["token"] = token.Token,
            ["expires_at"] = token.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["permissions"] = new JsonObject { ["checks"] = "write", ["pull_requests"] = "write", ["contents"] = "read" },
            ["repository_selection"] = "selected",
        }.ToJsonString());
    }

    private async Task RepositoryInstallationAsync(HttpContext context, RecordedRequest request)
    {
        var segments = request.Path.Trim('/').Split('/');
        if (!App!.Installations.TryGetValue(segments[1] + "/" + segments[2], out var id))
        {
            // Not an unexpected call: this is how Nectr learns the App is not installed there.
            await WriteStatusAsync(context, request, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app"}""");
            return;
        }

        await WriteStatusAsync(context, request, 200, new JsonObject
        {
            ["id"] = id,
            ["app_id"] = App.Id,
            ["app_slug"] = App.Slug,
            ["target_type"] = "Organization",
            ["account"] = new JsonObject { ["login"] = segments[1], ["id"] = 1 },
            ["repository_selection"] = "selected",
        }.ToJsonString());
    }
}

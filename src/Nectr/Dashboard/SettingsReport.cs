using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.GitHub;

namespace Nectr.Dashboard;

/// <summary>One line of the settings page: a setting and how it is set, never its value when it is a secret.</summary>
internal sealed record SettingLine(string Name, string Value);

/// <summary>A detected problem and what fixes it.</summary>
internal sealed record Problem(string Title, string Fix);

/// <summary>
/// What the Settings page shows: how this process is configured and what is wrong with it, each problem with its fix.
/// Secrets are reported as "configured" or "not set", never echoed, not even in part.
/// </summary>
internal sealed class SettingsReport(
    IOptions<HostingOptions> hostingOptions,
    IOptions<LlmOptions> llmOptions,
    IOptions<GitHubOptions> gitHubOptions,
    IOptions<WebhookOptions> webhookOptions,
    IOptions<AuthOptions> authOptions,
    IOptions<DatabaseOptions> databaseOptions,
    IOptions<JobOptions> jobOptions,
    GitHubTokenSource tokens,
    RateLimitGate rateLimit,
    DashboardQueries queries)
{
    private readonly HostingOptions _hosting = hostingOptions.Value;
    private readonly LlmOptions _llm = llmOptions.Value;
    private readonly AuthOptions _auth = authOptions.Value;

    public IReadOnlyList<SettingLine> Configuration() =>
    [
        new("Environment", _hosting.AppEnv),
        new("LLM provider", _llm.Provider switch
        {
            LlmProvider.Anthropic => "Anthropic",
            LlmProvider.OpenAI => _llm.OpenAIBaseUrl is { } url ? $"OpenAI-compatible ({url.Host})" : "OpenAI",
            _ => "none (built-in checks only)",
        }),
        new("Model", _llm.Enabled ? _llm.Model : "—"),
        new("LLM API key", _llm.Provider switch
        {
            LlmProvider.Anthropic => Configured(_llm.AnthropicApiKey, "ANTHROPIC_API_KEY"),
            LlmProvider.OpenAI => Configured(_llm.OpenAIApiKey, "OPENAI_API_KEY"),
            _ => "not needed",
        }),
        new("GitHub auth mode", tokens.Mode),
        new("GitHub API", gitHubOptions.Value.ApiUrl.ToString()),
        new("Webhook secret (GITHUB_WEBHOOK_SECRET)", webhookOptions.Value.Secret is null ? "not set (per-repository secrets only)" : "configured"),
        new("GitHub sign-in (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET)", OAuthConfigured ? "configured" : "not configured"),
        new("Public address (BACKEND_URL)", _hosting.BackendUrl?.ToString() ?? "not set"),
        new("Trusted reverse proxies (FORWARDED_ALLOW_IPS)", _hosting.ForwardedProxies.Display),
        new("MCP integrations (Linear, Sentry, Slack)", "not configured"),
        new("Database", databaseOptions.Value.Connection.Provider == DatabaseProvider.Sqlite ? "SQLite" : "PostgreSQL"),
        new("Review concurrency", jobOptions.Value.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public bool OAuthConfigured => _auth.OAuthConfigured;

    /// <summary>The callback URL to register on the GitHub OAuth app.</summary>
    public string CallbackUrl => (_hosting.BackendUrl?.ToString().TrimEnd('/') ?? $"http://localhost:{_hosting.ListenPort}") + "/auth/github/callback";

    /// <summary>What is missing for sign-in, for the sign-in page (which anyone can read: names of settings only).</summary>
    public IReadOnlyList<Problem> SignInProblems()
    {
        var problems = new List<Problem>();
        var missing = new[] { ("GITHUB_CLIENT_ID", _auth.ClientId), ("GITHUB_CLIENT_SECRET", _auth.ClientSecret) }.Where(v => v.Item2 is null).Select(v => v.Item1).ToList();
        if (missing.Count > 0)
        {
            problems.Add(new Problem($"{string.Join(" and ", missing)} {(missing.Count == 1 ? "is" : "are")} not set, so nobody can sign in with GitHub.",
                $"Create an OAuth app on GitHub (Settings → Developer settings → OAuth Apps) with the callback URL {CallbackUrl}, " +
                "then set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET in the environment or .env and restart Nectr."));
        }

        if (_hosting.BackendUrl is null)
        {
            problems.Add(new Problem("BACKEND_URL is not set, so the callback URL GitHub redirects to is a guess.",
                "Set BACKEND_URL to the address people open Nectr at, e.g. https://nectr.example.com."));
        }

        return problems;
    }

    public async Task<IReadOnlyList<Problem>> ProblemsAsync(long userId, CancellationToken cancellationToken)
    {
        var problems = new List<Problem>();
        try
        {
            await tokens.EnsureAvailableAsync(cancellationToken);
        }
        catch (GitHubTokenUnavailableException ex)
        {
            problems.Add(new Problem("No GitHub token is available for Nectr's own calls, so no review can be fetched or posted.",
                _hosting.IsProduction ? "Set GITHUB_PAT to a token with pull-request read and review write access." : ex.Message));
        }

        if (_hosting.IsProduction && _hosting.BackendUrl?.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add(new Problem("BACKEND_URL is not an https:// address in production.",
                "Set BACKEND_URL to the public https:// address GitHub and browsers reach Nectr at."));
        }

        if (!OAuthConfigured)
        {
            problems.Add(new Problem("GitHub sign-in is not configured (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET).",
                $"Create a GitHub OAuth app whose callback URL is exactly {CallbackUrl}, then set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET."));
        }

        foreach (var repo in await queries.SignatureFailuresAsync(userId, cancellationToken))
        {
            var last = repo.LastSignatureFailureAt is { } at ? $", last at {at:yyyy-MM-dd HH:mm} UTC" : "";
            problems.Add(new Problem($"{repo.FullName}: {repo.SignatureFailures} webhook deliveries failed signature verification{last}.",
                "The secret on GitHub's webhook and Nectr's no longer match: Disconnect the repository and Connect it again to install a fresh secret."));
        }

        if (rateLimit.BlockedUntil is { } until)
        {
            problems.Add(new Problem($"GitHub's rate limit is reached; Nectr waits until {until:yyyy-MM-dd HH:mm:ss} UTC before calling GitHub again.",
                "Nothing to do: queued reviews resume by themselves. If it happens often, use a dedicated token (GITHUB_PAT) or lower REVIEW_CONCURRENCY."));
        }

        return problems;
    }

    private static string Configured(string? secret, string variable) => secret is null ? $"not set ({variable})" : "configured";
}

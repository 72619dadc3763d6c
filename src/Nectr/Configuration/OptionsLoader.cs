using System.Globalization;

namespace Nectr.Configuration;

/// <summary>
/// Reads <see cref="NectrOptions"/> from configuration and collects every problem at once, each with the fix,
/// so an operator corrects a bad .env in one go instead of one restart per mistake.
/// </summary>
internal static partial class OptionsLoader
{
    public static NectrOptions Load(IConfiguration config)
    {
        var errors = new List<string>();
        var appEnv = AppEnv(config, errors);
        var production = appEnv == "production";

        var options = new NectrOptions
        {
            AppEnv = appEnv,
            LogLevel = Text(config, "LOG_LEVEL") ?? "Information",
            Port = Int(config, "PORT", 8000, 1, 65535, errors),
            BackendUrl = AbsoluteUrl(config, "BACKEND_URL", null, errors),
            Database = Database(config, errors),
            DatabaseWait = Seconds(config, "DATABASE_WAIT_SECONDS", 60, 0, 3600, errors),
            GitHubPat = Text(config, "GITHUB_PAT"),
            GitHubWebhookSecret = Text(config, "GITHUB_WEBHOOK_SECRET"),
            GitHubApiUrl = AbsoluteUrl(config, "GITHUB_API_URL", "https://api.github.com/", errors)!,
            GitHubWebUrl = AbsoluteUrl(config, "GITHUB_WEB_URL", "https://github.com/", errors)!,
            ForwardedProxies = ForwardedProxies.Parse(Text(config, ForwardedProxies.Variable), errors),
            // At least one delivery of GitHub's largest size (25 MB) must fit, or such a delivery could never be taken.
            WebhookMaxInflightBytes = Int(config, "WEBHOOK_MAX_INFLIGHT_MB", 128, 25, 65536, errors) * 1024L * 1024,
            Auth = Auth(config, production, errors),
            KeyRing = KeyRing(config, production, errors),
            Queue = new ReviewQueueOptions
            {
                Concurrency = Int(config, "REVIEW_CONCURRENCY", 4, 0, 64, errors),
                MaxAttempts = Int(config, "REVIEW_MAX_ATTEMPTS", 5, 1, 50, errors),
                Lease = Seconds(config, "REVIEW_LEASE_SECONDS", 30, 1, 3600, errors),
                PollInterval = Seconds(config, "REVIEW_POLL_SECONDS", 2, 0.05, 300, errors),
                RetryBase = Seconds(config, "REVIEW_RETRY_BASE_SECONDS", 15, 0.05, 3600, errors),
                RetryMax = Seconds(config, "REVIEW_RETRY_MAX_SECONDS", 1800, 0.05, 86400, errors),
                ReviewDrafts = Bool(config, "REVIEW_DRAFTS", false, errors),
                MaxInlineComments = Int(config, "REVIEW_MAX_INLINE_COMMENTS", 50, 0, 500, errors),
                InlineThreshold = MinSeverity(config, "REVIEW_MIN_INLINE_SEVERITY", errors),
                BlockingReviews = Bool(config, "REVIEW_BLOCKING", false, errors),
            },
            Llm = Llm(config, errors),
        };

        if (!LogLevels.Contains(options.LogLevel))
        {
            errors.Add($"LOG_LEVEL '{options.LogLevel}' is not a level; use one of {string.Join(", ", LogLevels)}.");
        }

        if (production)
        {
            if (options.GitHubWebhookSecret is null)
            {
                errors.Add("APP_ENV=production needs GITHUB_WEBHOOK_SECRET: without it every webhook is refused. Generate one with `openssl rand -hex 32` and set the same value on the GitHub webhook.");
            }
            else if (options.GitHubWebhookSecret.Length < MinimumWebhookSecretLength)
            {
                // Anyone who guesses the secret can have any pull request reviewed on Nectr's budget.
                errors.Add($"APP_ENV=production needs GITHUB_WEBHOOK_SECRET to be at least {MinimumWebhookSecretLength} characters; a short secret can be guessed. "
                    + "Generate one with `openssl rand -hex 32` and set the same value on the GitHub webhook.");
            }

            if (options.BackendUrl is null || options.BackendUrl.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add("APP_ENV=production needs BACKEND_URL to be the public https:// address GitHub reaches Nectr at, e.g. https://nectr.example.com.");
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidConfigurationException(errors);
        }

        return options;
    }

    public const int MinimumWebhookSecretLength = 20;

    private static readonly HashSet<string> LogLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        "Trace", "Debug", "Information", "Warning", "Error", "Critical", "None",
    };

    private static string? Text(IConfiguration config, string key)
    {
        var value = config[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static int Int(IConfiguration config, string key, int fallback, int min, int max, List<string> errors)
    {
        var raw = Text(config, key);
        if (raw is null)
        {
            return fallback;
        }

        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add($"{key} '{raw}' must be a whole number from {min} to {max} (default {fallback}).");
        return fallback;
    }

    private static TimeSpan Seconds(IConfiguration config, string key, double fallback, double min, double max, List<string> errors)
    {
        var raw = Text(config, key);
        if (raw is null)
        {
            return TimeSpan.FromSeconds(fallback);
        }

        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return TimeSpan.FromSeconds(value);
        }

        errors.Add($"{key} '{raw}' must be a number of seconds from {min} to {max} (default {fallback}).");
        return TimeSpan.FromSeconds(fallback);
    }

    private static bool Bool(IConfiguration config, string key, bool fallback, List<string> errors)
    {
        var raw = Text(config, key);
        switch (raw?.ToLowerInvariant())
        {
            case null: return fallback;
            case "1" or "true" or "yes" or "on": return true;
            case "0" or "false" or "no" or "off": return false;
            default:
                errors.Add($"{key} '{raw}' must be true or false (default {(fallback ? "true" : "false")}).");
                return fallback;
        }
    }

    private static Uri? AbsoluteUrl(IConfiguration config, string key, string? fallback, List<string> errors)
    {
        var raw = Text(config, key) ?? fallback;
        if (raw is null)
        {
            return null;
        }

        if (Uri.TryCreate(raw, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            // A trailing slash makes relative request paths append instead of replacing the last segment (GHES: /api/v3/).
            return raw.EndsWith('/') ? uri : new Uri(raw + "/");
        }

        errors.Add($"{key} '{raw}' must be an absolute http(s) URL{(fallback is null ? "" : $" (default {fallback})")}.");
        return fallback is null ? null : new Uri(fallback);
    }

    private static DatabaseSettings Database(IConfiguration config, List<string> errors)
    {
        try
        {
            return DatabaseSettings.Parse(Text(config, "DATABASE_URL") ?? "sqlite:///nectr.db");
        }
        catch (Exception ex) when (ex is FormatException or UriFormatException)
        {
            errors.Add(ex.Message);
            return DatabaseSettings.Parse("sqlite:///nectr.db");
        }
    }
}

/// <summary>Start-up stops with this when settings are wrong; the message lists every fix.</summary>
internal sealed class InvalidConfigurationException(IReadOnlyList<string> problems)
    : Exception("Nectr cannot start; fix these settings (environment variables or .env):" + Environment.NewLine
        + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

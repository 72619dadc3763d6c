using Nectr.Engine.Review;

namespace Nectr.Configuration;

/// <summary>
/// Every setting Nectr reads, resolved once at start-up from the environment, <c>.env</c> and appsettings.
/// Names follow the original Nectr (upper-case environment variables) so its users can move over.
/// </summary>
internal sealed class NectrOptions
{
    /// <summary>APP_ENV normalised to <c>production</c>, <c>development</c> or <c>test</c> (<c>prod</c> and <c>dev</c> are accepted).</summary>
    public string AppEnv { get; init; } = "development";
    public bool IsProduction => string.Equals(AppEnv, "production", StringComparison.OrdinalIgnoreCase);

    /// <summary>The ASP.NET Core host environment, derived from APP_ENV so the two never disagree.</summary>
    public string HostEnvironment => AppEnv switch
    {
        "production" => Environments.Production,
        "test" => "Test",
        _ => Environments.Development,
    };

    public string LogLevel { get; init; } = "Information";
    public int Port { get; init; } = 8000;
    public Uri? BackendUrl { get; init; }

    public DatabaseSettings Database { get; init; } = DatabaseSettings.Parse("sqlite:///nectr.db");

    /// <summary>How long start-up waits for the database to accept connections (DATABASE_WAIT_SECONDS).</summary>
    public TimeSpan DatabaseWait { get; init; } = TimeSpan.FromSeconds(60);

    public KeyRingOptions KeyRing { get; init; } = new();

    public string? GitHubPat { get; init; }
    public string? GitHubWebhookSecret { get; init; }
    public Uri GitHubApiUrl { get; init; } = new("https://api.github.com/");
    public Uri GitHubWebUrl { get; init; } = new("https://github.com/");

    /// <summary>Reverse proxies whose X-Forwarded-* headers are believed (<c>FORWARDED_ALLOW_IPS</c>).</summary>
    public ForwardedProxies ForwardedProxies { get; init; } = ForwardedProxies.Loopback;
    /// <summary>Webhook body bytes held in memory at once (<c>WEBHOOK_MAX_INFLIGHT_MB</c>); beyond it deliveries get 503.</summary>
    public long WebhookMaxInflightBytes { get; init; } = 128L * 1024 * 1024;

    public AuthOptions Auth { get; init; } = new();

    public ReviewQueueOptions Queue { get; init; } = new();

    public LlmOptions Llm { get; init; } = new();
}

/// <summary>How the review queue behaves in this process.</summary>
internal sealed class ReviewQueueOptions
{
    /// <summary>Reviews this process runs at once; 0 makes it a web-only instance that stores and enqueues.</summary>
    public int Concurrency { get; init; } = 4;
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromMinutes(30);
    public bool ReviewDrafts { get; init; }
    public int MaxInlineComments { get; init; } = 50;

    /// <summary>Findings less severe than this are listed in the review body instead of posted inline.</summary>
    public Severity InlineThreshold { get; init; } = Severity.Nit;

    /// <summary>Post REQUEST_CHANGES when the verdict says so; by default every review is a COMMENT. Never APPROVE.</summary>
    public bool BlockingReviews { get; init; }
}

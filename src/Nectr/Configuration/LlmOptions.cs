namespace Nectr.Configuration;

/// <summary>Which model service reviews pull requests; <see cref="None"/> leaves the built-in checks as the whole review.</summary>
internal enum LlmProvider { None, Anthropic, OpenAI }

/// <summary>USD per million tokens, as providers publish their prices.</summary>
internal sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion);

/// <summary>
/// The model Nectr talks to and how hard it tries: one deadline per call, a bounded number of attempts, and the
/// token budget of a review. Resolved once at start-up (see <see cref="OptionsLoader"/>).
/// </summary>
internal sealed class LlmOptions
{
    public const string DefaultAnthropicModel = "claude-sonnet-4-5";
    public const string DefaultOpenAIModel = "gpt-4.1";

    public LlmProvider Provider { get; init; }

    public string? AnthropicApiKey { get; init; }
    public string AnthropicModel { get; init; } = DefaultAnthropicModel;
    public Uri? AnthropicBaseUrl { get; init; }

    public string? OpenAIApiKey { get; init; }
    public Uri? OpenAIBaseUrl { get; init; }
    public string OpenAIModel { get; init; } = DefaultOpenAIModel;

    public bool ParallelReviewAgents { get; init; }

    /// <summary>Deadline of one call to the model, answer included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Attempts per call (first try included) before the failure is reported.</summary>
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait between attempts; a provider asking for longer gets a failure the job queue retries later.</summary>
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The model's context window in tokens (prompt plus answer).</summary>
    public int ContextTokens { get; init; } = 200_000;

    /// <summary>Tokens reserved for the answer, and the most the model may write.</summary>
    public int OutputTokens { get; init; } = 8192;

    /// <summary>Most model calls (chunks of the diff) one review may make.</summary>
    public int MaxCalls { get; init; } = 4;

    /// <summary>Prices from <c>LLM_PRICES</c>; they replace or extend the built-in table.</summary>
    public IReadOnlyDictionary<string, ModelPrice> PriceOverrides { get; init; } = new Dictionary<string, ModelPrice>();

    public bool Enabled => Provider != LlmProvider.None;

    /// <summary>The model of the configured provider (empty when none).</summary>
    public string Model => Provider switch
    {
        LlmProvider.Anthropic => AnthropicModel,
        LlmProvider.OpenAI => OpenAIModel,
        _ => "",
    };

    /// <summary>The variable that holds the key of the configured provider, for messages that say what to fix.</summary>
    public string KeyVariable => Provider == LlmProvider.Anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";

    public static int DefaultContextTokens(string model) =>
        model.StartsWith("claude", StringComparison.OrdinalIgnoreCase) ? 200_000 : 128_000;
}

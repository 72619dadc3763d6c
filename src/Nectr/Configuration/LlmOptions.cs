using System.Globalization;

namespace Nectr.Configuration;

/// <summary>Which model service reviews pull requests; <see cref="None"/> leaves the built-in checks as the whole review.</summary>
internal enum LlmProvider { None, Anthropic, OpenAI }

/// <summary>USD per million tokens, as providers publish their prices.</summary>
internal sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion);

/// <summary>
/// The model Nectr talks to and how hard it tries: one deadline per call, a bounded number of attempts, and the
/// token budget of a review.
/// </summary>
internal sealed class LlmOptions
{
    public const string DefaultAnthropicModel = "claude-sonnet-4-5";
    public const string DefaultOpenAIModel = "gpt-4.1";

    internal static readonly UrlSetting AnthropicBaseUrlSetting = new("ANTHROPIC_BASE_URL", null);
    internal static readonly UrlSetting OpenAIBaseUrlSetting = new("OPENAI_BASE_URL", null);
    internal static readonly BoolSetting ParallelSetting = new("PARALLEL_REVIEW_AGENTS", false);
    internal static readonly SecondsSetting TimeoutSetting = new("LLM_TIMEOUT_SECONDS", 120, 0.1, 3600);
    internal static readonly IntSetting MaxAttemptsSetting = new("LLM_MAX_ATTEMPTS", 4, 1, 20);
    internal static readonly SecondsSetting RetryBaseSetting = new("LLM_RETRY_BASE_SECONDS", 2, 0.01, 600);
    internal static readonly SecondsSetting RetryMaxSetting = new("LLM_RETRY_MAX_SECONDS", 60, 0.01, 3600);
    internal static readonly IntSetting OutputTokensSetting = new("LLM_OUTPUT_TOKENS", 8192, 256, 1_000_000);
    internal static readonly IntSetting MaxCallsSetting = new("LLM_MAX_CALLS", 4, 1, 100);

    [ConfigurationKeyName("LLM_PROVIDER")] public string? ProviderText { get; set; }
    [ConfigurationKeyName("ANTHROPIC_API_KEY")] public string? AnthropicApiKey { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("ANTHROPIC_MODEL")] public string? AnthropicModelText { get; set; }
    [ConfigurationKeyName("ANTHROPIC_BASE_URL")] public string? AnthropicBaseUrlText { get; set; }
    [ConfigurationKeyName("OPENAI_API_KEY")] public string? OpenAIApiKey { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("OPENAI_BASE_URL")] public string? OpenAIBaseUrlText { get; set; }
    [ConfigurationKeyName("OPENAI_MODEL")] public string? OpenAIModelText { get; set; }
    [ConfigurationKeyName("PARALLEL_REVIEW_AGENTS")] public string? ParallelReviewAgentsText { get; set; }
    [ConfigurationKeyName("LLM_TIMEOUT_SECONDS")] public string? TimeoutText { get; set; }
    [ConfigurationKeyName("LLM_MAX_ATTEMPTS")] public string? MaxAttemptsText { get; set; }
    [ConfigurationKeyName("LLM_RETRY_BASE_SECONDS")] public string? RetryBaseText { get; set; }
    [ConfigurationKeyName("LLM_RETRY_MAX_SECONDS")] public string? RetryMaxText { get; set; }
    [ConfigurationKeyName("LLM_CONTEXT_TOKENS")] public string? ContextTokensText { get; set; }
    [ConfigurationKeyName("LLM_OUTPUT_TOKENS")] public string? OutputTokensText { get; set; }
    [ConfigurationKeyName("LLM_MAX_CALLS")] public string? MaxCallsText { get; set; }
    [ConfigurationKeyName("LLM_PRICES")] public string? PricesText { get; set; }

    /// <summary>An explicit LLM_PROVIDER wins; otherwise the first provider with credentials, as in the original Nectr.</summary>
    public LlmProvider Provider => ParseProvider(Setting.Text(ProviderText)) ?? LlmProvider.None;

    public string AnthropicModel => Setting.Text(AnthropicModelText) ?? DefaultAnthropicModel;
    public Uri? AnthropicBaseUrl => AnthropicBaseUrlSetting.Read(AnthropicBaseUrlText);
    public Uri? OpenAIBaseUrl => OpenAIBaseUrlSetting.Read(OpenAIBaseUrlText);
    public string OpenAIModel => Setting.Text(OpenAIModelText) ?? DefaultOpenAIModel;

    public bool ParallelReviewAgents => ParallelSetting.Read(ParallelReviewAgentsText);

    /// <summary>Deadline of one call to the model, answer included.</summary>
    public TimeSpan Timeout => TimeoutSetting.Read(TimeoutText);

    /// <summary>Attempts per call (first try included) before the failure is reported.</summary>
    public int MaxAttempts => MaxAttemptsSetting.Read(MaxAttemptsText);
    public TimeSpan RetryBase => RetryBaseSetting.Read(RetryBaseText);

    /// <summary>Longest wait between attempts; a provider asking for longer gets a failure the job queue retries later.</summary>
    public TimeSpan RetryMax => RetryMaxSetting.Read(RetryMaxText);

    /// <summary>The model's context window in tokens (prompt plus answer); the default depends on the model.</summary>
    public int ContextTokens => ContextTokensSetting.Read(ContextTokensText);

    /// <summary>Tokens reserved for the answer, and the most the model may write.</summary>
    public int OutputTokens => OutputTokensSetting.Read(OutputTokensText);

    /// <summary>Most model calls (chunks of the diff) one review may make.</summary>
    public int MaxCalls => MaxCallsSetting.Read(MaxCallsText);

    /// <summary>Prices from <c>LLM_PRICES</c>; they replace or extend the built-in table.</summary>
    public IReadOnlyDictionary<string, ModelPrice> PriceOverrides => Prices([]);

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

    internal IntSetting ContextTokensSetting =>
        new("LLM_CONTEXT_TOKENS", DefaultContextTokens(Provider == LlmProvider.OpenAI ? OpenAIModel : AnthropicModel), 4096, 10_000_000);

    public static int DefaultContextTokens(string model) =>
        model.StartsWith("claude", StringComparison.OrdinalIgnoreCase) ? 200_000 : 128_000;

    /// <summary>The provider named by LLM_PROVIDER or inferred from credentials; null for a name Nectr does not know.</summary>
    internal LlmProvider? ParseProvider(string? raw) => raw?.ToLowerInvariant() switch
    {
        null => AnthropicApiKey is not null ? LlmProvider.Anthropic
            : OpenAIApiKey is not null || Setting.Text(OpenAIBaseUrlText) is not null ? LlmProvider.OpenAI
            : LlmProvider.None,
        "anthropic" or "claude" => LlmProvider.Anthropic,
        "openai" => LlmProvider.OpenAI,
        "none" or "off" => LlmProvider.None,
        _ => null,
    };

    /// <summary><c>model=input/output;…</c> in USD per million tokens, e.g. <c>gpt-4.1=2/8;claude-sonnet-4-5=3/15</c>.</summary>
    internal Dictionary<string, ModelPrice> Prices(List<string> errors)
    {
        var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in (Setting.Text(PricesText) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            var amounts = parts.Length == 2 ? parts[1].Split('/', StringSplitOptions.TrimEntries) : [];
            if (parts[0].Length > 0 && amounts.Length == 2
                && decimal.TryParse(amounts[0], NumberStyles.Number, CultureInfo.InvariantCulture, out var input) && input >= 0
                && decimal.TryParse(amounts[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var output) && output >= 0)
            {
                prices[parts[0]] = new ModelPrice(input, output);
                continue;
            }

            errors.Add($"LLM_PRICES entry '{entry}' must be model=input/output in USD per million tokens, entries separated by ';', e.g. gpt-4.1=2/8;claude-sonnet-4-5=3/15.");
        }

        return prices;
    }
}

/// <summary>A known provider with its credentials, numbers in range, and an answer reserve that leaves room for the diff.</summary>
internal sealed class LlmOptionsValidator : OptionsValidator<LlmOptions>
{
    protected override void Check(LlmOptions options, List<string> errors)
    {
        LlmOptions.OpenAIBaseUrlSetting.Check(options.OpenAIBaseUrlText, errors);
        var raw = Setting.Text(options.ProviderText);
        if (options.ParseProvider(raw) is null)
        {
            errors.Add($"LLM_PROVIDER '{raw}' is not a provider; use anthropic, openai (any OpenAI-compatible server) or none.");
        }

        if (options.Provider == LlmProvider.Anthropic && options.AnthropicApiKey is null)
        {
            errors.Add("LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY: create a key at https://console.anthropic.com/settings/keys, or set LLM_PROVIDER=none to review with the built-in checks only.");
        }

        if (options.Provider == LlmProvider.OpenAI && options.OpenAIApiKey is null && options.OpenAIBaseUrl is null)
        {
            errors.Add("LLM_PROVIDER=openai needs OPENAI_API_KEY (https://platform.openai.com/api-keys), or OPENAI_BASE_URL for a local OpenAI-compatible server such as Ollama (http://localhost:11434/v1) or vLLM; or set LLM_PROVIDER=none.");
        }

        options.ContextTokensSetting.Check(options.ContextTokensText, errors);
        LlmOptions.OutputTokensSetting.Check(options.OutputTokensText, errors);
        if (options.OutputTokens * 2 > options.ContextTokens)
        {
            errors.Add($"LLM_OUTPUT_TOKENS {options.OutputTokens} leaves too little of LLM_CONTEXT_TOKENS {options.ContextTokens} for the diff; keep the answer reserve at most half the context window.");
        }

        LlmOptions.AnthropicBaseUrlSetting.Check(options.AnthropicBaseUrlText, errors);
        LlmOptions.ParallelSetting.Check(options.ParallelReviewAgentsText, errors);
        LlmOptions.TimeoutSetting.Check(options.TimeoutText, errors);
        LlmOptions.MaxAttemptsSetting.Check(options.MaxAttemptsText, errors);
        LlmOptions.RetryBaseSetting.Check(options.RetryBaseText, errors);
        LlmOptions.RetryMaxSetting.Check(options.RetryMaxText, errors);
        LlmOptions.MaxCallsSetting.Check(options.MaxCallsText, errors);
        options.Prices(errors);
    }
}

using System.Globalization;
using Nectr.Engine.Review;

namespace Nectr.Configuration;

/// <summary>The LLM settings: which provider, its key and model, and the limits of one review's model calls.</summary>
internal static partial class OptionsLoader
{
    private static LlmOptions Llm(IConfiguration config, List<string> errors)
    {
        var anthropicKey = Text(config, "ANTHROPIC_API_KEY");
        var openAIKey = Text(config, "OPENAI_API_KEY");
        var openAIBaseUrl = AbsoluteUrl(config, "OPENAI_BASE_URL", null, errors);
        var provider = Provider(config, anthropicKey, openAIKey, Text(config, "OPENAI_BASE_URL"), errors);

        if (provider == LlmProvider.Anthropic && anthropicKey is null)
        {
            errors.Add("LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY: create a key at https://console.anthropic.com/settings/keys, or set LLM_PROVIDER=none to review with the built-in checks only.");
        }

        if (provider == LlmProvider.OpenAI && openAIKey is null && openAIBaseUrl is null)
        {
            errors.Add("LLM_PROVIDER=openai needs OPENAI_API_KEY (https://platform.openai.com/api-keys), or OPENAI_BASE_URL for a local OpenAI-compatible server such as Ollama (http://localhost:11434/v1) or vLLM; or set LLM_PROVIDER=none.");
        }

        var anthropicModel = Text(config, "ANTHROPIC_MODEL") ?? LlmOptions.DefaultAnthropicModel;
        var openAIModel = Text(config, "OPENAI_MODEL") ?? LlmOptions.DefaultOpenAIModel;
        var model = provider == LlmProvider.OpenAI ? openAIModel : anthropicModel;
        var contextDefault = LlmOptions.DefaultContextTokens(model);
        var context = Int(config, "LLM_CONTEXT_TOKENS", contextDefault, 4096, 10_000_000, errors);
        var output = Int(config, "LLM_OUTPUT_TOKENS", 8192, 256, 1_000_000, errors);
        if (output * 2 > context)
        {
            errors.Add($"LLM_OUTPUT_TOKENS {output} leaves too little of LLM_CONTEXT_TOKENS {context} for the diff; keep the answer reserve at most half the context window.");
        }

        return new LlmOptions
        {
            Provider = provider,
            AnthropicApiKey = anthropicKey,
            AnthropicModel = anthropicModel,
            AnthropicBaseUrl = AbsoluteUrl(config, "ANTHROPIC_BASE_URL", null, errors),
            OpenAIApiKey = openAIKey,
            OpenAIBaseUrl = openAIBaseUrl,
            OpenAIModel = openAIModel,
            ParallelReviewAgents = Bool(config, "PARALLEL_REVIEW_AGENTS", false, errors),
            Timeout = Seconds(config, "LLM_TIMEOUT_SECONDS", 120, 0.1, 3600, errors),
            MaxAttempts = Int(config, "LLM_MAX_ATTEMPTS", 4, 1, 20, errors),
            RetryBase = Seconds(config, "LLM_RETRY_BASE_SECONDS", 2, 0.01, 600, errors),
            RetryMax = Seconds(config, "LLM_RETRY_MAX_SECONDS", 60, 0.01, 3600, errors),
            ContextTokens = context,
            OutputTokens = output,
            MaxCalls = Int(config, "LLM_MAX_CALLS", 4, 1, 100, errors),
            PriceOverrides = Prices(config, errors),
        };
    }

    /// <summary>An explicit LLM_PROVIDER wins; otherwise the first provider with credentials, as in the original Nectr.</summary>
    private static LlmProvider Provider(IConfiguration config, string? anthropicKey, string? openAIKey, string? openAIBaseUrl, List<string> errors)
    {
        var raw = Text(config, "LLM_PROVIDER");
        switch (raw?.ToLowerInvariant())
        {
            case null:
                return anthropicKey is not null ? LlmProvider.Anthropic
                    : openAIKey is not null || openAIBaseUrl is not null ? LlmProvider.OpenAI
                    : LlmProvider.None;
            case "anthropic" or "claude": return LlmProvider.Anthropic;
            case "openai": return LlmProvider.OpenAI;
            case "none" or "off": return LlmProvider.None;
            default:
                errors.Add($"LLM_PROVIDER '{raw}' is not a provider; use anthropic, openai (any OpenAI-compatible server) or none.");
                return LlmProvider.None;
        }
    }

    /// <summary><c>model=input/output;…</c> in USD per million tokens, e.g. <c>gpt-4.1=2/8;claude-sonnet-4-5=3/15</c>.</summary>
    private static Dictionary<string, ModelPrice> Prices(IConfiguration config, List<string> errors)
    {
        var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        var raw = Text(config, "LLM_PRICES");
        if (raw is null)
        {
            return prices;
        }

        foreach (var entry in raw.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
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

    private static Severity MinSeverity(IConfiguration config, string key, List<string> errors)
    {
        var raw = Text(config, key);
        if (raw is null)
        {
            return Severity.Nit;
        }

        if (Enum.TryParse<Severity>(raw, ignoreCase: true, out var severity) && Enum.IsDefined(severity) && !int.TryParse(raw, out _))
        {
            return severity;
        }

        errors.Add($"{key} '{raw}' is not a severity; use critical, high, medium, low or nit (default nit: every finding may be posted inline).");
        return Severity.Nit;
    }
}

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Configuration;
using Nectr.Engine.Review;
using Nectr.Llm;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Configuration;

public sealed class LlmConfigurationTests
{
    private static StartupOptions Load(params (string Key, string Value)[] values) =>
        NectrConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    [Fact]
    public void Without_credentials_there_is_no_llm_and_the_defaults_are_the_documented_ones()
    {
        var options = Load();

        Assert.Equal(LlmProvider.None, options.Llm.Provider);
        Assert.Equal("claude-sonnet-4-5", options.Llm.AnthropicModel);
        Assert.Equal("gpt-4.1", options.Llm.OpenAIModel);
        Assert.Equal(TimeSpan.FromSeconds(120), options.Llm.Timeout);
        Assert.Equal(4, options.Llm.MaxAttempts);
        Assert.Equal(8192, options.Llm.OutputTokens);
        Assert.Equal(4, options.Llm.MaxCalls);
        Assert.False(options.Llm.ParallelReviewAgents);
        Assert.Equal(Severity.Nit, options.Review.InlineThreshold);
        Assert.False(options.Review.BlockingReviews);
    }

    [Theory]
    [InlineData("ANTHROPIC_API_KEY", "Anthropic", 200_000)]
    [InlineData("OPENAI_API_KEY", "OpenAI", 128_000)]
    [InlineData("OPENAI_BASE_URL", "OpenAI", 128_000)]
    public void An_unset_provider_is_inferred_from_the_credentials(string variable, string expected, int contextTokens)
    {
        var options = Load((variable, variable == "OPENAI_BASE_URL" ? "http://localhost:11434/v1" : "key"));

        Assert.Equal(Enum.Parse<LlmProvider>(expected), options.Llm.Provider);
        Assert.Equal(contextTokens, options.Llm.ContextTokens);
    }

    [Fact]
    public void Anthropic_wins_when_both_keys_are_set_and_an_explicit_provider_wins_over_both()
    {
        Assert.Equal(LlmProvider.Anthropic, Load(("ANTHROPIC_API_KEY", "a"), ("OPENAI_API_KEY", "o")).Llm.Provider);
        Assert.Equal(LlmProvider.OpenAI, Load(("LLM_PROVIDER", "openai"), ("ANTHROPIC_API_KEY", "a"), ("OPENAI_API_KEY", "o")).Llm.Provider);
        Assert.Equal(LlmProvider.None, Load(("LLM_PROVIDER", "none"), ("ANTHROPIC_API_KEY", "a")).Llm.Provider);
    }

    [Fact]
    public void An_explicit_provider_without_its_key_says_which_variable_to_set()
    {
        var anthropic = Assert.Throws<InvalidConfigurationException>(() => Load(("LLM_PROVIDER", "anthropic"), ("OPENAI_API_KEY", "o")));
        var openai = Assert.Throws<InvalidConfigurationException>(() => Load(("LLM_PROVIDER", "openai")));

        Assert.Contains("ANTHROPIC_API_KEY", Assert.Single(anthropic.Problems), StringComparison.Ordinal);
        Assert.Contains("OPENAI_API_KEY", Assert.Single(openai.Problems), StringComparison.Ordinal);
        Assert.Contains("OPENAI_BASE_URL", Assert.Single(openai.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_local_openai_compatible_server_needs_no_key()
    {
        var options = Load(("LLM_PROVIDER", "openai"), ("OPENAI_BASE_URL", "http://localhost:11434/v1"), ("OPENAI_MODEL", "llama3.1"));

        Assert.Equal(LlmProvider.OpenAI, options.Llm.Provider);
        Assert.Null(options.Llm.OpenAIApiKey);
        Assert.Equal("llama3.1", options.Llm.Model);
    }

    [Fact]
    public void Every_bad_llm_value_is_reported_at_once_with_its_fix()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(
            ("LLM_PROVIDER", "gemini"),
            ("LLM_TIMEOUT_SECONDS", "soon"),
            ("LLM_MAX_ATTEMPTS", "0"),
            ("LLM_PRICES", "gpt-4.1=2/8;broken"),
            ("REVIEW_MIN_INLINE_SEVERITY", "urgent"),
            ("REVIEW_BLOCKING", "maybe"),
            ("PARALLEL_REVIEW_AGENTS", "sometimes"),
            ("OPENAI_BASE_URL", "localhost:11434")));

        Assert.Equal(8, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("LLM_PROVIDER 'gemini'", StringComparison.Ordinal) && p.Contains("anthropic, openai", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("LLM_TIMEOUT_SECONDS 'soon' must be a number of seconds", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("LLM_MAX_ATTEMPTS '0' must be a whole number from 1", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("LLM_PRICES entry 'broken' must be model=input/output", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("REVIEW_MIN_INLINE_SEVERITY 'urgent'", StringComparison.Ordinal) && p.Contains("critical, high, medium, low or nit", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("REVIEW_BLOCKING 'maybe' must be true or false", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("PARALLEL_REVIEW_AGENTS", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("OPENAI_BASE_URL", StringComparison.Ordinal));
    }

    [Fact]
    public void Limits_prices_and_review_policy_are_read()
    {
        var options = Load(
            ("ANTHROPIC_API_KEY", "a"),
            ("LLM_CONTEXT_TOKENS", "100000"),
            ("LLM_OUTPUT_TOKENS", "4096"),
            ("LLM_MAX_CALLS", "2"),
            ("LLM_PRICES", "claude-sonnet-4-5=2.5/12; local-model=0/0"),
            ("REVIEW_MIN_INLINE_SEVERITY", "medium"),
            ("REVIEW_BLOCKING", "true"));

        Assert.Equal(100_000, options.Llm.ContextTokens);
        Assert.Equal(4096, options.Llm.OutputTokens);
        Assert.Equal(2, options.Llm.MaxCalls);
        Assert.Equal(new ModelPrice(2.5m, 12m), options.Llm.PriceOverrides["claude-sonnet-4-5"]);
        Assert.Equal(Severity.Medium, options.Review.InlineThreshold);
        Assert.True(options.Review.BlockingReviews);
    }

    [Fact]
    public void An_output_reserve_larger_than_half_the_context_is_refused()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("LLM_CONTEXT_TOKENS", "16000"), ("LLM_OUTPUT_TOKENS", "9000")));

        Assert.Contains("LLM_OUTPUT_TOKENS", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provider_none_registers_no_chat_client_and_a_disabled_llm_client()
    {
        await using var host = LlmHost.Build();

        Assert.Null(host.Services.GetService<IChatClient>());
        Assert.False(host.Client.Enabled);
        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(new LlmCall("s", [LlmMessage.User("u")], 10), TestContext.Current.CancellationToken));
        Assert.True(error.Permanent);
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nectr.Configuration;
using Nectr.Jobs;
using Nectr.Llm;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// Nectr's LLM services built by the real <c>AddLlm</c> from the same settings an operator sets, without the rest
/// of the app: what the review pipeline resolves, pointed at a fake provider.
/// </summary>
internal sealed class LlmHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly List<AsyncServiceScope> _scopes = [];
    private LlmClient? _client;

    private LlmHost(IHost host) => _host = host;

    /// <summary>The LLM client of one review (one DI scope, as the worker opens per job).</summary>
    public LlmClient Client => _client ??= NewReview();

    /// <summary>The LLM client of another review: a fresh scope, sharing nothing per-review with <see cref="Client"/>.</summary>
    public LlmClient NewReview()
    {
        var scope = _host.Services.CreateAsyncScope();
        _scopes.Add(scope);
        return scope.ServiceProvider.GetRequiredService<LlmClient>();
    }

    public PriceTable Prices => _host.Services.GetRequiredService<PriceTable>();

    public IServiceProvider Services => _host.Services;

    public static LlmHost ForAnthropic(FakeAnthropic fake, params (string Key, string Value)[] settings) =>
        Build([("ANTHROPIC_API_KEY", fake.ApiKey), ("ANTHROPIC_BASE_URL", fake.BaseUrl.ToString()), ("LLM_RETRY_BASE_SECONDS", "0.05"), .. settings]);

    public static LlmHost ForOpenAI(FakeOpenAI fake, params (string Key, string Value)[] settings) =>
        Build([("OPENAI_API_KEY", fake.ApiKey), ("OPENAI_BASE_URL", fake.BaseUrl.ToString()), ("LLM_RETRY_BASE_SECONDS", "0.05"), .. settings]);

    /// <summary>The same, on <paramref name="clock"/>: deadlines and backoffs are crossed by moving a <c>FakeTimeProvider</c>.</summary>
    public static LlmHost ForAnthropic(FakeAnthropic fake, TimeProvider clock, params (string Key, string Value)[] settings) =>
        Build(clock, [("ANTHROPIC_API_KEY", fake.ApiKey), ("ANTHROPIC_BASE_URL", fake.BaseUrl.ToString()), ("LLM_RETRY_BASE_SECONDS", "0.05"), .. settings]);

    /// <summary>The same, on <paramref name="clock"/>: deadlines and backoffs are crossed by moving a <c>FakeTimeProvider</c>.</summary>
    public static LlmHost ForOpenAI(FakeOpenAI fake, TimeProvider clock, params (string Key, string Value)[] settings) =>
        Build(clock, [("OPENAI_API_KEY", fake.ApiKey), ("OPENAI_BASE_URL", fake.BaseUrl.ToString()), ("LLM_RETRY_BASE_SECONDS", "0.05"), .. settings]);

    /// <summary>The same, inside a review job whose <see cref="RetryBudget"/> holds <paramref name="retryBudget"/> retries.</summary>
    public static LlmHost ForAnthropicJob(FakeAnthropic fake, TimeProvider? clock, int retryBudget, params (string Key, string Value)[] settings) =>
        Build(clock, retryBudget, [("ANTHROPIC_API_KEY", fake.ApiKey), ("ANTHROPIC_BASE_URL", fake.BaseUrl.ToString()), ("LLM_RETRY_BASE_SECONDS", "0.05"), .. settings]);

    /// <summary>The same, inside a review job whose <see cref="RetryBudget"/> holds <paramref name="retryBudget"/> retries.</summary>
    public static LlmHost ForOpenAIJob(FakeOpenAI fake, int retryBudget, params (string Key, string Value)[] settings) =>
        Build(null, retryBudget, [("OPENAI_API_KEY", fake.ApiKey), ("OPENAI_BASE_URL", fake.BaseUrl.ToString()), ("LLM_RETRY_BASE_SECONDS", "0.05"), .. settings]);

    public static LlmHost Build(params (string Key, string Value)[] settings) => Build(null, settings);

    public static LlmHost Build(TimeProvider? clock, params (string Key, string Value)[] settings) => Build(clock, null, settings);

    /// <summary>
    /// The same, with a job's <see cref="RetryBudget"/> of <paramref name="retryBudget"/> retries in every scope,
    /// registered the way the job worker registers it.
    /// </summary>
    public static LlmHost Build(TimeProvider? clock, int? retryBudget, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Services.AddLogging();
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }

        if (retryBudget is { } retries)
        {
            builder.Services.AddScoped(_ => new RetryBudget(retries));
        }

        builder.Services.AddNectrOptions(builder.Configuration);
        builder.AddLlm(NectrConfiguration.Load(builder.Configuration).Llm);
        return new LlmHost(builder.Build());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var scope in _scopes)
        {
            await scope.DisposeAsync();
        }

        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
    }
}

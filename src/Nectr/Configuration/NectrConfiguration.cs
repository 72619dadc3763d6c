using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Nectr.Configuration;

/// <summary>
/// Every options class, bound from configuration by its variable names and validated on start. The composition root
/// also needs a few values before the host exists (the environment name, LOG_LEVEL, PORT, the database provider,
/// the key-ring certificate), so <see cref="Load"/> runs the same registrations and the same start-up validation on
/// a provider of their own, first: every problem in every class is reported at once, before anything is built.
/// </summary>
internal static class NectrConfiguration
{
    public static IServiceCollection AddNectrOptions(this IServiceCollection services, IConfiguration configuration)
    {
        Add<HostingOptions, HostingOptionsValidator>(services, configuration);
        Add<DatabaseOptions, DatabaseOptionsValidator>(services, configuration);
        Add<KeyRingOptions, KeyRingOptionsValidator>(services, configuration);
        Add<AuthOptions, AuthOptionsValidator>(services, configuration);
        Add<GitHubOptions, GitHubOptionsValidator>(services, configuration);
        Add<WebhookOptions, WebhookOptionsValidator>(services, configuration);
        Add<GitHubAppOptions, GitHubAppOptionsValidator>(services, configuration);
        Add<JobOptions, JobOptionsValidator>(services, configuration);
        Add<ReviewOptions, ReviewOptionsValidator>(services, configuration);
        Add<CommandOptions, CommandOptionsValidator>(services, configuration);
        Add<LlmOptions, LlmOptionsValidator>(services, configuration);
        Add<SyncOptions, SyncOptionsValidator>(services, configuration);
        Add<MemoryOptions, MemoryOptionsValidator>(services, configuration);
        Add<ReviewToolOptions, ReviewToolOptionsValidator>(services, configuration);
        Add<McpServerEndpointOptions, McpServerEndpointOptionsValidator>(services, configuration);
        Add<McpOptions, McpOptionsValidator>(services, configuration);
        services.PostConfigure<McpOptions>(o => o.Variable = name => configuration[name]); // token_env
        return services;
    }

    /// <summary>
    /// The host builder's command line: <paramref name="args"/> with file watching off. Settings are checked once, at
    /// start-up, and the watcher for <c>appsettings.json</c> covers the whole working directory — the SQLite database's
    /// by default, where it woke on every webhook's write; a repository's whole tree for <c>nectr review</c>.
    /// </summary>
    public static string[] HostArgs(params string[] args) => ["--hostBuilder:reloadConfigOnChange=false", .. args];

    /// <summary>
    /// The ASP.NET Core environment APP_ENV names, read from the sources that exist before the host does (the
    /// environment, <c>.env</c>, the command line), for the host builder's settings. Assigning the environment name
    /// after the builder exists is only half applied: the app's <c>Environment</c> changes, but the
    /// <c>IHostEnvironment</c> in the container and the framework's development-only defaults keep the old one.
    /// </summary>
    public static string HostEnvironmentOf(string[] args)
    {
        var early = new ConfigurationManager();
        early.AddEnvironmentVariables();
        early.AddCommandLine(args);
        DotEnvConfigurationSource.InsertBelowEnvironment(early, Path.Combine(Directory.GetCurrentDirectory(), ".env"));
        return new HostingOptions { AppEnvText = early[AppEnvironment.Key] }.HostEnvironment;
    }

    /// <summary>
    /// Binds and validates every options class as start-up does; throws <see cref="InvalidConfigurationException"/>
    /// listing every problem of every class, each with its fix.
    /// </summary>
    public static StartupOptions Load(IConfiguration configuration)
    {
        using var provider = new ServiceCollection().AddNectrOptions(configuration).BuildServiceProvider();
        Validate(provider);
        return new StartupOptions(
            Get<HostingOptions>(provider), Get<DatabaseOptions>(provider), Get<KeyRingOptions>(provider), Get<AuthOptions>(provider),
            Get<GitHubOptions>(provider), Get<WebhookOptions>(provider), Get<JobOptions>(provider), Get<ReviewOptions>(provider), Get<LlmOptions>(provider));
    }

    /// <summary>
    /// Runs the <c>ValidateOnStart</c> checks now. The framework throws one exception per failing class, or an
    /// <see cref="AggregateException"/> over several whose message is only "one or more errors": this flattens
    /// them into the one list an operator needs.
    /// </summary>
    public static void Validate(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException ex)
        {
            throw new InvalidConfigurationException([.. ex.Failures]);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw new InvalidConfigurationException([.. ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)]);
        }
    }

    private static void Add<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }

    private static T Get<T>(IServiceProvider provider) where T : class => provider.GetRequiredService<IOptions<T>>().Value;
}

/// <summary>
/// The validated options the composition root reads before the host is built. Only Program.cs, the command line and
/// tests use it; services take <c>IOptions&lt;T&gt;</c> of the one class they need.
/// </summary>
internal sealed record StartupOptions(
    HostingOptions Hosting, DatabaseOptions Database, KeyRingOptions KeyRing, AuthOptions Auth, GitHubOptions GitHub,
    WebhookOptions Webhooks, JobOptions Jobs, ReviewOptions Review, LlmOptions Llm);

/// <summary>Start-up stops with this when settings are wrong; the message lists every fix.</summary>
internal sealed class InvalidConfigurationException(IReadOnlyList<string> problems)
    : Exception("Nectr cannot start; fix these settings (environment variables or .env):" + Environment.NewLine
        + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

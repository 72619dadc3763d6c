namespace Nectr.Configuration;

/// <summary>
/// How this process is hosted: APP_ENV (the ASP.NET Core environment is derived from it), LOG_LEVEL, PORT, the public
/// address (BACKEND_URL) and the reverse proxies it believes (FORWARDED_ALLOW_IPS).
/// </summary>
internal sealed class HostingOptions
{
    internal static readonly IntSetting PortSetting = new("PORT", 8000, 1, 65535);
    internal static readonly UrlSetting BackendUrlSetting = new("BACKEND_URL", null);

    internal static readonly IReadOnlySet<string> LogLevels = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Trace", "Debug", "Information", "Warning", "Error", "Critical", "None",
    };

    [ConfigurationKeyName(AppEnvironment.Key)] public string? AppEnvText { get; set; }

    /// <summary>Read only to refuse a value that contradicts APP_ENV.</summary>
    [ConfigurationKeyName("ASPNETCORE_ENVIRONMENT")] public string? AspNetCoreEnvironment { get; set; }

    [ConfigurationKeyName("DOTNET_ENVIRONMENT")] public string? DotNetEnvironment { get; set; }
    [ConfigurationKeyName("LOG_LEVEL")] public string? LogLevelText { get; set; }
    [ConfigurationKeyName("PORT")] public string? PortText { get; set; }
    [ConfigurationKeyName("BACKEND_URL")] public string? BackendUrlText { get; set; }
    [ConfigurationKeyName(ForwardedProxies.Variable)] public string? ForwardedAllowIps { get; set; }

    /// <summary>APP_ENV normalised to <c>production</c>, <c>development</c> or <c>test</c> (<c>prod</c> and <c>dev</c> are accepted).</summary>
    public string AppEnv => AppEnvironment.Normalise(AppEnvText) ?? AppEnvironment.Development;

    public bool IsProduction => AppEnv == AppEnvironment.Production;

    /// <summary>The ASP.NET Core host environment, derived from APP_ENV so the two never disagree.</summary>
    public string HostEnvironment => AppEnv switch
    {
        AppEnvironment.Production => Environments.Production,
        AppEnvironment.Test => "Test",
        _ => Environments.Development,
    };

    public string LogLevel => Setting.Text(LogLevelText) ?? "Information";

    /// <summary>PORT (named apart from it: the binder would try to convert a same-named read-only property).</summary>
    public int ListenPort => PortSetting.Read(PortText);

    public Uri? BackendUrl => BackendUrlSetting.Read(BackendUrlText);

    /// <summary>Reverse proxies whose X-Forwarded-* headers are believed.</summary>
    public ForwardedProxies ForwardedProxies => ForwardedProxies.Parse(Setting.Text(ForwardedAllowIps), []);
}

/// <summary>
/// APP_ENV must be known and agree with ASPNETCORE_ENVIRONMENT / DOTNET_ENVIRONMENT (an unknown value run as
/// development would drop every production safeguard without a word); production needs an https BACKEND_URL.
/// </summary>
internal sealed class HostingOptionsValidator : OptionsValidator<HostingOptions>
{
    protected override void Check(HostingOptions options, List<string> errors)
    {
        var raw = Setting.Text(options.AppEnvText);
        var appEnv = AppEnvironment.Normalise(raw);
        if (appEnv is null)
        {
            errors.Add($"APP_ENV '{raw}' is not an environment Nectr knows; use {AppEnvironment.Accepted}.");
        }
        else
        {
            foreach (var (key, value) in (ReadOnlySpan<(string, string?)>)[("ASPNETCORE_ENVIRONMENT", options.AspNetCoreEnvironment), ("DOTNET_ENVIRONMENT", options.DotNetEnvironment)])
            {
                if (Setting.Text(value) is { } host && !Agrees(appEnv, host))
                {
                    errors.Add($"{key}={host} contradicts APP_ENV={raw ?? "development (the default)"}: Nectr derives the host environment from APP_ENV. "
                        + $"Unset {key}, or set APP_ENV to what you mean ({AppEnvironment.Accepted}).");
                }
            }
        }

        if (!HostingOptions.LogLevels.Contains(options.LogLevel))
        {
            errors.Add($"LOG_LEVEL '{options.LogLevel}' is not a level; use one of {string.Join(", ", HostingOptions.LogLevels)}.");
        }

        HostingOptions.PortSetting.Check(options.PortText, errors);
        HostingOptions.BackendUrlSetting.Check(options.BackendUrlText, errors);
        ForwardedProxies.Parse(Setting.Text(options.ForwardedAllowIps), errors);

        if (options.IsProduction && options.BackendUrl?.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add("APP_ENV=production needs BACKEND_URL to be the public https:// address GitHub reaches Nectr at, e.g. https://nectr.example.com.");
        }
    }

    /// <summary>The ASP.NET Core environment names that mean the same as an APP_ENV value.</summary>
    private static bool Agrees(string appEnv, string hostEnvironment) => appEnv switch
    {
        AppEnvironment.Production => hostEnvironment.Equals("Production", StringComparison.OrdinalIgnoreCase),
        AppEnvironment.Development => hostEnvironment.Equals("Development", StringComparison.OrdinalIgnoreCase),
        // The test suite's mode is development-like; a developer's exported ASPNETCORE_ENVIRONMENT=Development is no contradiction.
        _ => ((string[])["Test", "Testing", "Development"]).Contains(hostEnvironment, StringComparer.OrdinalIgnoreCase),
    };
}

namespace Nectr.Configuration;

/// <summary>Where GitHub is (github.com or an Enterprise Server) and the token Nectr's own calls use.</summary>
internal sealed class GitHubOptions
{
    internal static readonly UrlSetting ApiUrlSetting = new("GITHUB_API_URL", "https://api.github.com/");
    internal static readonly UrlSetting WebUrlSetting = new("GITHUB_WEB_URL", "https://github.com/");

    [ConfigurationKeyName(AppEnvironment.Key)] public string? AppEnvText { get; set; }
    [ConfigurationKeyName("GITHUB_PAT")] public string? Pat { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("GITHUB_API_URL")] public string? ApiUrlText { get; set; }
    [ConfigurationKeyName("GITHUB_WEB_URL")] public string? WebUrlText { get; set; }

    /// <summary>Production never falls back to a developer's <c>gh auth token</c>.</summary>
    public bool IsProduction => AppEnvironment.IsProduction(AppEnvText);

    /// <summary>The REST API base, with a trailing slash (GHES: https://host/api/v3/).</summary>
    public Uri ApiUrl => ApiUrlSetting.Read(ApiUrlText)!;

    public Uri WebUrl => WebUrlSetting.Read(WebUrlText)!;
}

internal sealed class GitHubOptionsValidator : OptionsValidator<GitHubOptions>
{
    protected override void Check(GitHubOptions options, List<string> errors)
    {
        GitHubOptions.ApiUrlSetting.Check(options.ApiUrlText, errors);
        GitHubOptions.WebUrlSetting.Check(options.WebUrlText, errors);
    }
}

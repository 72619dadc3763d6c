using System.Text.RegularExpressions;

namespace Nectr.Configuration;

/// <summary>
/// Who may sign in and how: the GitHub OAuth App's credentials and scopes, and the allow-list of users and
/// organisations.
/// </summary>
internal sealed partial class AuthOptions
{
    /// <summary>
    /// <c>repo</c> is the least an OAuth App can ask for that lists a user's private repositories, and it already
    /// covers their webhooks (<c>admin:repo_hook</c> would add nothing). <c>read:org</c> is added only when
    /// <c>AUTH_ALLOWED_ORGS</c> needs to read the user's organisation memberships.
    /// </summary>
    public const string DefaultScopes = "repo";
    public const string OrgScope = "read:org";

    [ConfigurationKeyName(AppEnvironment.Key)] public string? AppEnvText { get; set; }
    [ConfigurationKeyName("GITHUB_CLIENT_ID")] public string? ClientId { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("GITHUB_CLIENT_SECRET")] public string? ClientSecret { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("GITHUB_OAUTH_SCOPES")] public string? ScopesText { get; set; }
    [ConfigurationKeyName("AUTH_ALLOWED_USERS")] public string? AllowedUsersText { get; set; }
    [ConfigurationKeyName("AUTH_ALLOWED_ORGS")] public string? AllowedOrgsText { get; set; }

    public bool IsProduction => AppEnvironment.IsProduction(AppEnvText);

    /// <summary>Space-separated scopes requested at <c>/login/oauth/authorize</c>; explicit scopes win.</summary>
    public string Scopes => ScopeList() is { } scopes ? string.Join(' ', scopes)
        : AllowedOrgs.Count > 0 ? $"{DefaultScopes} {OrgScope}" : DefaultScopes;

    /// <summary>GitHub logins that may sign in (case-insensitive).</summary>
    public IReadOnlySet<string> AllowedUsers => Names("AUTH_ALLOWED_USERS", AllowedUsersText, "user logins", []);

    /// <summary>GitHub organisations whose active members may sign in (case-insensitive).</summary>
    public IReadOnlySet<string> AllowedOrgs => Names("AUTH_ALLOWED_ORGS", AllowedOrgsText, "organisation logins", []);

    public bool OAuthConfigured => ClientId is not null && ClientSecret is not null;

    /// <summary>No allow-list: any GitHub user may sign in (refused in production).</summary>
    public bool AllowsEveryone => AllowedUsers.Count == 0 && AllowedOrgs.Count == 0;

    /// <summary>GITHUB_OAUTH_SCOPES split; GitHub accepts spaces or commas between scopes, Nectr sends them space-separated.</summary>
    internal List<string>? ScopeList() => Setting.Text(ScopesText)?
        .Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>A comma-separated list of GitHub logins (users or organisations), compared case-insensitively.</summary>
    internal static HashSet<string> Names(string key, string? raw, string what, List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in (Setting.Text(raw) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = entry.TrimStart('@');
            if (GitHubLogin().IsMatch(name))
            {
                names.Add(name);
            }
            else
            {
                errors.Add($"{key} entry '{entry}' is not a GitHub login; list {what} separated by commas, e.g. {key}=octocat,hubot.");
            }
        }

        return names;
    }

    /// <summary>GitHub logins: letters, digits and single inner hyphens, at most 39 characters (GHES also allows '_' in some setups).</summary>
    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})$")]
    private static partial Regex GitHubLogin();
}

/// <summary>Both OAuth credentials or neither; logins that are logins; scopes that can check an org allow-list; production needs an allow-list.</summary>
internal sealed class AuthOptionsValidator : OptionsValidator<AuthOptions>
{
    protected override void Check(AuthOptions options, List<string> errors)
    {
        var (clientId, clientSecret) = (options.ClientId, options.ClientSecret);
        if ((clientId is null) != (clientSecret is null))
        {
            errors.Add($"{(clientId is null ? "GITHUB_CLIENT_ID" : "GITHUB_CLIENT_SECRET")} is missing while {(clientId is null ? "GITHUB_CLIENT_SECRET" : "GITHUB_CLIENT_ID")} is set: " +
                "copy both from the OAuth App's page (GitHub → Settings → Developer settings → OAuth Apps), or unset both to turn sign-in off.");
        }

        var users = AuthOptions.Names("AUTH_ALLOWED_USERS", options.AllowedUsersText, "user logins", errors);
        var orgs = AuthOptions.Names("AUTH_ALLOWED_ORGS", options.AllowedOrgsText, "organisation logins", errors);
        if (orgs.Count > 0 && options.ScopeList() is { } scopes && !scopes.Any(s => s is "read:org" or "write:org" or "admin:org"))
        {
            errors.Add($"GITHUB_OAUTH_SCOPES '{Setting.Text(options.ScopesText)}' cannot check AUTH_ALLOWED_ORGS: add read:org (e.g. GITHUB_OAUTH_SCOPES=repo read:org), or unset it to use the default.");
        }

        if (options.IsProduction && users.Count == 0 && orgs.Count == 0)
        {
            errors.Add("APP_ENV=production needs AUTH_ALLOWED_USERS or AUTH_ALLOWED_ORGS: without an allow-list any GitHub user could sign in. " +
                "Set AUTH_ALLOWED_USERS=your-login (comma-separated) and/or AUTH_ALLOWED_ORGS=your-org.");
        }
    }
}

using System.Text.RegularExpressions;

namespace Nectr.Configuration;

/// <summary>Sign-in settings: the OAuth App, its scopes, the allow-list and the key-ring escape hatch.</summary>
internal static partial class OptionsLoader
{
    private static AuthOptions Auth(IConfiguration config, bool production, List<string> errors)
    {
        var clientId = Text(config, "GITHUB_CLIENT_ID");
        var clientSecret = Text(config, "GITHUB_CLIENT_SECRET");
        if ((clientId is null) != (clientSecret is null))
        {
            errors.Add($"{(clientId is null ? "GITHUB_CLIENT_ID" : "GITHUB_CLIENT_SECRET")} is missing while {(clientId is null ? "GITHUB_CLIENT_SECRET" : "GITHUB_CLIENT_ID")} is set: " +
                "copy both from the OAuth App's page (GitHub → Settings → Developer settings → OAuth Apps), or unset both to turn sign-in off.");
        }

        var users = Names(config, "AUTH_ALLOWED_USERS", "user logins", errors);
        var orgs = Names(config, "AUTH_ALLOWED_ORGS", "organisation logins", errors);
        var scopes = Scopes(config, orgs.Count > 0, errors);

        if (production && users.Count == 0 && orgs.Count == 0)
        {
            errors.Add("APP_ENV=production needs AUTH_ALLOWED_USERS or AUTH_ALLOWED_ORGS: without an allow-list any GitHub user could sign in. " +
                "Set AUTH_ALLOWED_USERS=your-login (comma-separated) and/or AUTH_ALLOWED_ORGS=your-org.");
        }

        return new AuthOptions
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            Scopes = scopes,
            AllowedUsers = users,
            AllowedOrgs = orgs,
            ResetSecrets = Bool(config, "NECTR_RESET_SECRETS", false, errors),
        };
    }

    /// <summary>Explicit scopes win; an organisation allow-list needs one that can read memberships.</summary>
    private static string Scopes(IConfiguration config, bool orgAllowList, List<string> errors)
    {
        var raw = Text(config, "GITHUB_OAUTH_SCOPES");
        if (raw is null)
        {
            return orgAllowList ? $"{AuthOptions.DefaultScopes} {AuthOptions.OrgScope}" : AuthOptions.DefaultScopes;
        }

        // GitHub accepts spaces or commas between scopes; Nectr sends them space-separated.
        var scopes = raw.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        if (orgAllowList && !scopes.Any(s => s is "read:org" or "write:org" or "admin:org"))
        {
            errors.Add($"GITHUB_OAUTH_SCOPES '{raw}' cannot check AUTH_ALLOWED_ORGS: add read:org (e.g. GITHUB_OAUTH_SCOPES=repo read:org), or unset it to use the default.");
        }

        return string.Join(' ', scopes);
    }

    /// <summary>A comma-separated list of GitHub logins (users or organisations), compared case-insensitively.</summary>
    private static HashSet<string> Names(IConfiguration config, string key, string what, List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in (Text(config, key) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
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

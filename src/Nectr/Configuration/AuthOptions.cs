namespace Nectr.Configuration;

/// <summary>
/// Who may sign in and how: the GitHub OAuth App's credentials and scopes, the allow-list of users and
/// organisations, and what to do with stored secrets whose key ring is gone. Resolved once at start-up.
/// </summary>
internal sealed class AuthOptions
{
    /// <summary>
    /// <c>repo</c> is the least an OAuth App can ask for that lists a user's private repositories, and it already
    /// covers their webhooks (<c>admin:repo_hook</c> would add nothing). <c>read:org</c> is added only when
    /// <c>AUTH_ALLOWED_ORGS</c> needs to read the user's organisation memberships.
    /// </summary>
    public const string DefaultScopes = "repo";
    public const string OrgScope = "read:org";

    public string? ClientId { get; init; }
    public string? ClientSecret { get; init; }

    /// <summary>Space-separated scopes requested at <c>/login/oauth/authorize</c>.</summary>
    public string Scopes { get; init; } = DefaultScopes;

    /// <summary>GitHub logins that may sign in (case-insensitive).</summary>
    public IReadOnlySet<string> AllowedUsers { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>GitHub organisations whose active members may sign in (case-insensitive).</summary>
    public IReadOnlySet<string> AllowedOrgs { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Forget stored tokens and webhook secrets that the key ring can no longer decrypt, instead of refusing to start.</summary>
    public bool ResetSecrets { get; init; }

    public bool OAuthConfigured => ClientId is not null && ClientSecret is not null;

    /// <summary>No allow-list: any GitHub user may sign in (refused in production).</summary>
    public bool AllowsEveryone => AllowedUsers.Count == 0 && AllowedOrgs.Count == 0;
}

using Nectr.Data;

namespace Nectr.Repos;

/// <summary>Nectr's connection to one repository, as the API and dashboard show it. Never carries the secret.</summary>
internal sealed record RepoConnection(
    string FullName,
    long? GithubId,
    bool Connected,
    bool Private,
    long? HookId,
    DateTimeOffset? ConnectedAt,
    long? ConnectedByUserId,
    DateTimeOffset? DisconnectedAt,
    int SignatureFailures,
    DateTimeOffset? LastSignatureFailureAt,
    long? InstallationId = null)
{
    /// <summary>How GitHub delivers for a connected repository: <c>webhook</c> (Nectr's own) or <c>github_app</c> (an installation of Nectr's App).</summary>
    public string? Via => !Connected ? null : HookId is null && InstallationId is not null ? "github_app" : "webhook";

    public static RepoConnection Of(RepositoryRecord record) => new(
        record.FullName, record.GitHubId, record.Connected, record.Private, record.HookId, Utc(record.ConnectedAt), record.ConnectedByUserId,
        Utc(record.DisconnectedAt), record.SignatureFailures, Utc(record.LastSignatureFailureAt), record.InstallationId);

    /// <summary>A repository Nectr has never connected.</summary>
    public static RepoConnection None(string fullName, long gitHubId, bool isPrivate) =>
        new(fullName, gitHubId, false, isPrivate, null, null, null, null, 0, null);

    // SQLite hands DateTime back unspecified; every time Nectr stores is UTC.
    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}

/// <summary>A repository the user can see on GitHub, with what they may do there and Nectr's connection to it.</summary>
internal sealed record RepoListItem(
    long Id,
    string FullName,
    string Owner,
    string Name,
    bool Private,
    bool Archived,
    string? HtmlUrl,
    GitHubRepositoryPermissions Permissions,
    RepoConnection Connection);

/// <summary>What <see cref="RepoDirectory.ListAsync"/> found.</summary>
internal abstract record RepoListResult
{
    private RepoListResult()
    {
    }

    public sealed record Listed(IReadOnlyList<RepoListItem> Repositories) : RepoListResult;

    /// <summary>Nectr holds no usable GitHub token for the user, or GitHub refused it: sign in again.</summary>
    public sealed record SignInRequired : RepoListResult;

    public sealed record GitHubFailed(int Status, string Message) : RepoListResult;
}

/// <summary>What <see cref="RepoConnections.ConnectAsync"/> and <see cref="RepoConnections.DisconnectAsync"/> did, or why not.</summary>
internal abstract record RepoConnectionResult
{
    private RepoConnectionResult()
    {
    }

    /// <summary>Nectr's webhook is installed with a fresh secret; <paramref name="ReusedHook"/> when an existing Nectr hook was updated.</summary>
    public sealed record Connected(RepoConnection Connection, bool ReusedHook) : RepoConnectionResult;

    /// <summary>Already connected (by this or another user) and the hook is still on GitHub: nothing changed.</summary>
    public sealed record AlreadyConnected(RepoConnection Connection) : RepoConnectionResult;

    /// <summary>The hook is gone and the secret forgotten; <paramref name="HookDeleted"/> is false when GitHub had already lost it.</summary>
    public sealed record Disconnected(RepoConnection Connection, bool HookDeleted) : RepoConnectionResult;

    public sealed record NotAdmin(string FullName) : RepoConnectionResult;

    /// <summary>GitHub does not show the user this repository (it does not exist, or they cannot see it).</summary>
    public sealed record NotFound(string FullName) : RepoConnectionResult;

    /// <summary>GitHub refused the user's token access to the repository's webhooks: it lacks the admin:repo_hook scope.</summary>
    public sealed record HooksForbidden(string FullName) : RepoConnectionResult;

    public sealed record BackendUrlMissing : RepoConnectionResult;

    /// <summary>Connected through an installation of Nectr's GitHub App: it is disconnected on GitHub, at <paramref name="ManageUrl"/>.</summary>
    public sealed record CoveredByApp(RepoConnection Connection, string ManageUrl) : RepoConnectionResult;

    public sealed record SignInRequired : RepoConnectionResult;

    public sealed record GitHubFailed(int Status, string Message) : RepoConnectionResult;
}

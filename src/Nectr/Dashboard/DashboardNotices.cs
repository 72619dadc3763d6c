using Nectr.Repos;

namespace Nectr.Dashboard;

/// <summary>What a button did, in words. Codes come from <see cref="DashboardForms"/>; unknown codes show nothing.</summary>
internal static class DashboardNotices
{
    public static string? Repositories(string? code, string? repo) => code switch
    {
        "connected" => $"Connected {repo}: Nectr's webhook is installed, and the next pull request will be reviewed.",
        "already_connected" => $"{repo} was already connected.",
        "disconnected" => $"Disconnected {repo}: the webhook is removed; its reviews stay here.",
        "not_admin" => $"Only admins of {repo} can install or remove Nectr's webhook.",
        "not_found" => $"GitHub does not show you {repo}.",
        "hooks_forbidden" => $"GitHub refused to manage the webhooks of {repo}: sign out and in again to grant Nectr access to them.",
        "covered_by_app" => $"{repo} is connected through Nectr's GitHub App: remove it from the App's installation on GitHub (the link beside it) to disconnect it.",
        "backend_url_missing" => "Set BACKEND_URL to the public https address GitHub reaches Nectr at, then connect again.",
        "sign_in_required" => "Nectr has no GitHub token for you: sign out and in again.",
        "github_failed" => $"GitHub did not complete the change for {repo}; try again in a moment.",
        _ => null,
    };

    public static string? Activity(string? code) => code switch
    {
        "retried" => "Queued again: the review runs in a moment.",
        "not_parked" => "That delivery is not parked, so there is nothing to retry.",
        "not_found" => "No such delivery.",
        _ => null,
    };

    public static string? Memory(string? code) => code switch
    {
        "added" => "Memory added.",
        "merged" => "A memory saying the same thing existed: it was updated with your text instead of adding a copy.",
        "updated" => "Memory saved.",
        "deleted" => "Memory deleted.",
        "rescanned" => "Project scanned: the project map below replaces the previous one.",
        "rescan_failed" => "GitHub could not be read, so the project map is unchanged; try again in a moment.",
        "invalid" => "Not saved: the memory needs a type and 1 to 2,000 characters of text, and a developer must be a GitHub login.",
        "not_connected" => "Nectr keeps memories only for the repositories it reviews: connect this one on the Repositories page first.",
        "full" => "Not added: this repository keeps as many memories as it may (MEMORY_MAX_PER_REPOSITORY). Delete ones that no longer hold, then add it again.",
        "not_found" => "No such memory in the repositories you can see.",
        "repo_not_found" => "That repository is not among the repositories you can see.",
        _ => null,
    };

    /// <summary>Refreshes the user's repositories from GitHub; returns why it could not, or null.</summary>
    public static async Task<string?> RefreshRepositoriesAsync(RepoDirectory directory, long userId, CancellationToken cancellationToken)
    {
        try
        {
            return await directory.ListAsync(userId, null, cancellationToken) switch
            {
                RepoListResult.SignInRequired => "Nectr has no GitHub token for you, so this list may be out of date: sign out and in again.",
                RepoListResult.GitHubFailed failed => $"GitHub did not answer ({failed.Status}); this is the list from your last visit.",
                _ => null,
            };
        }
        catch (HttpRequestException)
        {
            return "GitHub could not be reached; this is the list from your last visit.";
        }
    }
}

using Nectr.GitHub;
using Nectr.Webhooks;

namespace Nectr.Knowledge;

/// <summary>How the knowledge index spells a pull request's state.</summary>
internal static class PullRequestStates
{
    public const string Open = "open";
    public const string Closed = "closed";
    public const string Merged = "merged";

    /// <summary>GitHub says <c>open</c> or <c>closed</c>, and a closed pull request may have been merged.</summary>
    public static string Of(string? state, bool? merged, DateTimeOffset? mergedAt) =>
        state == "open" ? Open : merged == true || mergedAt is not null ? Merged : Closed;
}

/// <summary>
/// What the index keeps of a pull request, read from a <c>pull_request</c> delivery or from GitHub's answer to a
/// review's GET. <see cref="UpdatedAt"/> is GitHub's <c>updated_at</c>: a write older than the stored row loses.
/// </summary>
internal sealed record PullRequestFacts(
    string Repository,
    int Number,
    string Title,
    string AuthorLogin,
    bool AuthorIsBot,
    string State,
    DateTimeOffset? MergedAt,
    string HeadSha,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The facts a delivery carries, or null when it is not a <c>pull_request</c> event with a pull request.</summary>
    public static PullRequestFacts? FromDelivery(string eventName, WebhookPayload payload, DateTimeOffset receivedAt)
    {
        if (eventName != "pull_request" || payload is not { PullRequest: { Head.Sha: { } sha } pr, Repository.FullName: { } repository })
        {
            return null;
        }

        var login = pr.User?.Login ?? "";
        var state = PullRequestStates.Of(pr.State, pr.Merged, pr.MergedAt);
        return new PullRequestFacts(repository, pr.Number, pr.Title ?? "", login, IsBot(login, pr.User?.Type),
            state, state == PullRequestStates.Merged ? pr.MergedAt : null, sha, pr.UpdatedAt ?? receivedAt);
    }

    /// <summary>The facts of GitHub's answer to <c>GET /repos/{owner}/{repo}/pulls/{number}</c>.</summary>
    public static PullRequestFacts FromGitHub(string repository, GitHubPullRequest pr, DateTimeOffset fetchedAt)
    {
        var login = pr.User?.Login ?? "";
        var state = PullRequestStates.Of(pr.State, pr.Merged, pr.MergedAt);
        return new PullRequestFacts(repository, pr.Number, pr.Title, login, IsBot(login, pr.User?.Type),
            state, state == PullRequestStates.Merged ? pr.MergedAt : null, pr.Head.Sha, pr.UpdatedAt ?? fetchedAt);
    }

    /// <summary>
    /// The one rule for bots, applied when a row is written so every query filters one column: GitHub's user type
    /// says Bot, or the login is an app's (<c>dependabot[bot]</c>).
    /// </summary>
    public static bool IsBot(string login, string? type) =>
        string.Equals(type, "Bot", StringComparison.OrdinalIgnoreCase) || login.EndsWith("[bot]", StringComparison.OrdinalIgnoreCase);
}

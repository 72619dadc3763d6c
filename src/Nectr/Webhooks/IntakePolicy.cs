using Nectr.Configuration;

namespace Nectr.Webhooks;

/// <summary>Which deliveries ask for a review; every other one is stored and skipped with the reason given here.</summary>
internal static class IntakePolicy
{
    private static readonly HashSet<string> ReviewActions = new(StringComparer.Ordinal) { "opened", "synchronize", "reopened", "ready_for_review" };

    /// <summary>Why the delivery needs no review, or null when it does.</summary>
    public static string? SkipReason(string eventName, WebhookPayload payload, ReviewOptions queue, long? appId = null)
    {
        switch (eventName)
        {
            case "ping":
                return "ping: the webhook is connected";
            case "pull_request":
                if (payload.Action is null || !ReviewActions.Contains(payload.Action))
                {
                    return $"pull_request action '{payload.Action}' does not trigger a review";
                }

                if (payload.PullRequest!.State is not null and not "open")
                {
                    return $"pull request is {payload.PullRequest.State}";
                }

                if (payload.PullRequest.Draft && !queue.ReviewDrafts)
                {
                    return "draft pull request: waits for ready_for_review (set REVIEW_DRAFTS=true to review drafts)";
                }

                return null;
            case "check_run":
                return Checks.CheckRerun.SkipReason(payload, appId);
            case GitHubApp.Installations.InstallationEvent or GitHubApp.Installations.RepositoriesEvent:
                return $"{eventName}: the GitHub App's repositories (intake replaces this with what changed)";
            case "issues":
                return "issues event: recorded in the issue index (issues give reviews their context; they do not start one)";
            default:
                return $"event '{eventName}' is not used by Nectr";
        }
    }

    internal static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;
}

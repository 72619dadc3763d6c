using Nectr.Jobs;
using Nectr.Webhooks;

namespace Nectr.Checks;

/// <summary>
/// The Re-run button of Nectr's own check run (<c>check_run.rerequested</c>): a new review of that head, every file
/// again. Only Nectr's check (its App's id and its name), on a pull request GitHub names, asked for by a person;
/// anything else is stored and skipped with the reason. GitHub shows the button only to people with write access.
/// <c>check_suite.rerequested</c> ("Re-run all checks") is not used: it names no check run, and each App's run
/// has its own button.
/// </summary>
internal static class CheckRerun
{
    public static string? SkipReason(WebhookPayload payload, long? appId)
    {
        if (payload.Action != "rerequested")
        {
            return $"check_run action '{payload.Action}' does not trigger a review";
        }

        if (payload.CheckRun is not { } run || appId is null || run.App?.Id != appId || run.Name != ReviewChecks.Name)
        {
            return "check_run.rerequested for a check run that is not Nectr's";
        }

        if (payload.Sender?.Type is { } type && string.Equals(type, "Bot", StringComparison.OrdinalIgnoreCase))
        {
            return "check_run.rerequested by a bot: Nectr acts only on people's requests";
        }

        if (payload.Repository?.FullName is null || run.HeadSha is not { Length: 40 } sha || !sha.All(char.IsAsciiHexDigit))
        {
            return "check_run.rerequested without a repository or a full head SHA";
        }

        if (run.PullRequests is not [var pr, ..])
        {
            return "check_run.rerequested names no pull request (GitHub lists none for a fork's pull request): push again or ask with a comment";
        }

        // Reviewing an older head again would supersede the newer head's queued review and then be skipped itself.
        return pr.Head?.Sha is { } current && !string.Equals(current, sha, StringComparison.OrdinalIgnoreCase)
            ? $"check_run.rerequested for {IntakePolicy.Short(sha)}, but the pull request's head is now {IntakePolicy.Short(current)}, which is reviewed instead"
            : null;
    }

    /// <summary>The head to review again; only called when <see cref="SkipReason"/> is null.</summary>
    public static JobKey Head(WebhookPayload payload) =>
        new(payload.Repository!.FullName!, payload.CheckRun!.PullRequests![0].Number, payload.CheckRun.HeadSha!);

    /// <summary>A person asked: a new job for a head already reviewed, reviewing every file (an incremental run of the same head would see nothing).</summary>
    public static JobRequest Request(WebhookPayload payload) => new(Again: true, Full: true, RequestedBy: payload.Sender?.Login);
}

using Microsoft.Extensions.Primitives;
using Nectr.GitHub;

namespace Nectr.Webhooks;

/// <summary>
/// The fields intake stores or acts on, checked before anything reaches the database or a job. The limits follow
/// GitHub's own (and fit the columns in <c>Data/NectrDb.cs</c>), so a delivery GitHub can really send always passes,
/// and anything else is a 400 whose reason says which field is wrong — never a database error and a 5xx, which
/// GitHub would show as a failure to redeliver again and again.
/// </summary>
internal static class WebhookValidation
{
    // deliveries.Event and .Action are varchar(100); GitHub's event and action names are short snake_case words.
    public const int MaxEventLength = 100;
    public const int MaxActionLength = 100;
    // Owner and repository names follow GitHubNames; together they fit deliveries.RepositoryFullName, varchar(200).

    /// <summary>
    /// True when the webhook was set up with GitHub's form encoding (<c>payload=…</c>), which its settings page offers
    /// first. Nectr reads JSON only; naming the fix beats calling the payload malformed.
    /// </summary>
    public static bool IsFormEncoded(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Why the <c>X-GitHub-Event</c> or <c>X-GitHub-Delivery</c> header cannot be stored, or null. GitHub sends each
    /// once; a second copy would otherwise be joined to the first with a comma and stored as one id or event.
    /// </summary>
    public static string? HeaderProblem(StringValues eventHeader, StringValues deliveryHeader)
    {
        if (deliveryHeader.Count > 1 || eventHeader.Count > 1)
        {
            var (name, count) = deliveryHeader.Count > 1 ? ("X-GitHub-Delivery", deliveryHeader.Count) : ("X-GitHub-Event", eventHeader.Count);
            return $"{name} was sent {count} times: GitHub sends it once.";
        }

        string eventName = eventHeader.ToString(), deliveryId = deliveryHeader.ToString();
        if (deliveryId.Length is 0 or > 100 || !deliveryId.All(IsPrintableAscii))
        {
            return "X-GitHub-Delivery is required: at most 100 printable characters (GitHub sends a GUID).";
        }

        return eventName.Length is 0 or > MaxEventLength || !eventName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')
            ? $"X-GitHub-Event is required: a GitHub event name of at most {MaxEventLength} letters, digits or underscores (such as pull_request)."
            : null;
    }

    /// <summary>Why the payload's fields cannot be stored or reviewed, or null when they can.</summary>
    public static string? PayloadProblem(string eventName, WebhookPayload payload)
    {
        if (payload.Action is { } action && (action.Length is 0 or > MaxActionLength || !action.All(IsPrintable)))
        {
            return $"action must be at most {MaxActionLength} characters with no control characters (GitHub sends names such as opened).";
        }

        if (payload.Repository is { FullName: { } fullName } && !GitHubNames.IsFullName(fullName))
        {
            return $"repository.full_name must be owner/repository: an owner of at most {GitHubNames.MaxOwnerLength} letters, digits, '-' or '_', "
                + $"and a repository name of at most {GitHubNames.MaxRepositoryLength} letters, digits, '.', '-' or '_'.";
        }

        if (eventName != "pull_request")
        {
            return GitHubApp.Installations.PayloadProblem(eventName, payload);
        }

        if (payload.Repository?.FullName is null)
        {
            return "repository.full_name is missing: a pull_request delivery must name its repository.";
        }

        if (payload.PullRequest is not { } pr)
        {
            return "pull_request is missing from a pull_request delivery.";
        }

        if (pr.Number <= 0)
        {
            return "pull_request.number must be a positive pull request number.";
        }

        if (pr.Head?.Sha is not { } sha)
        {
            return "pull_request.head.sha is missing: Nectr reviews one head commit and cannot tell which.";
        }

        return IsCommitId(sha) ? null : "pull_request.head.sha must be a commit id: 40 hexadecimal digits (64 in a SHA-256 repository).";
    }

    private static bool IsCommitId(string sha) => sha.Length is 40 or 64 && sha.All(char.IsAsciiHexDigit);

    // A NUL or a lone surrogate is refused by PostgreSQL's text types (SQLite would store it: the two must agree).
    private static bool IsPrintable(char c) => !char.IsControl(c) && !char.IsSurrogate(c);

    private static bool IsPrintableAscii(char c) => c is >= ' ' and <= '~';
}

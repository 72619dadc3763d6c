using System.Text.Json;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Webhooks;

namespace Nectr.Issues;

/// <summary>
/// What the issue index keeps of an issue, from an <c>issues</c> delivery or a page of GitHub's issue list, already
/// cleaned and bounded (<see cref="IssueText"/>). <see cref="UpdatedAt"/> is GitHub's <c>updated_at</c>: a write older
/// than the stored row loses. <see cref="Removed"/>: the issue left the repository (deleted or transferred).
/// </summary>
internal sealed record IssueFacts(
    string Repository,
    int Number,
    string Title,
    string Body,
    string State,
    string Labels,
    string AuthorLogin,
    DateTimeOffset UpdatedAt)
{
    public const string Open = "open";
    public const string Closed = "closed";

    public bool Removed { get; init; }

    /// <summary>
    /// The facts an <c>issues</c> delivery carries, or null when it is another event, or its issue cannot be stored
    /// (no repository, no positive number, a state other than open or closed) or is a pull request. The payload is
    /// untrusted: a field of the wrong type is treated as missing, never an exception.
    /// </summary>
    public static IssueFacts? FromDelivery(string eventName, WebhookPayload payload, DateTimeOffset receivedAt)
    {
        if (eventName != "issues" || payload is not { Repository.FullName: { } repository, Issue: { ValueKind: JsonValueKind.Object } issue }
            || issue.TryGetProperty("pull_request", out var pr) && pr.ValueKind != JsonValueKind.Null
            || !issue.TryGetProperty("number", out var n) || n.ValueKind != JsonValueKind.Number || !n.TryGetInt32(out var number) || number <= 0)
        {
            return null;
        }

        var state = Text(issue, "state");
        if (state is not (Open or Closed))
        {
            return null;
        }

        var labels = issue.TryGetProperty("labels", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.Object ? Text(l, "name") : null).OfType<string>().Take(100)
            : [];
        var login = issue.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object ? Text(user, "login") : null;
        var updatedAt = issue.TryGetProperty("updated_at", out var u) && u.ValueKind == JsonValueKind.String && u.TryGetDateTimeOffset(out var at) ? at : receivedAt;
        return new IssueFacts(repository, number,
            IssueText.Storable(Text(issue, "title"), IssueModel.MaxTitleLength),
            IssueText.Storable(Text(issue, "body"), IssueModel.MaxBodyLength),
            state, IssueText.Labels(labels), IssueText.Login(login), updatedAt)
        {
            Removed = payload.Action is "deleted" or "transferred",
        };
    }

    /// <summary>The facts of an item of GitHub's issue list; null when it is a pull request (the issues API lists them too).</summary>
    public static IssueFacts? FromGitHub(string repository, GitHubIssue issue, DateTimeOffset fetchedAt) =>
        issue.IsPullRequest || issue.Number <= 0 || issue.State is not (Open or Closed)
            ? null
            : new IssueFacts(repository, issue.Number,
                IssueText.Storable(issue.Title, IssueModel.MaxTitleLength),
                IssueText.Storable(issue.Body, IssueModel.MaxBodyLength),
                issue.State, IssueText.Labels((issue.Labels ?? []).Select(l => l.Name)), IssueText.Login(issue.User?.Login), issue.UpdatedAt ?? fetchedAt);

    /// <summary>A string property, or null when it is missing, not a string, or not valid UTF-16 (a lone surrogate escape).</summary>
    private static string? Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

using System.Text.Json;
using Nectr.Engine.Commands;
using Nectr.Webhooks;

namespace Nectr.Commands;

/// <summary>
/// What intake makes of a PR comment: a command to queue as a job (<see cref="Request"/>), or the reason it is skipped.
/// Only new comments count (an edit could turn an old comment into a command nobody sees being given), only on pull
/// requests, and never from a bot or from Nectr itself, nor any comment carrying Nectr's hidden markers: that is the loop
/// breaker. Nectr's own login is checked before this, by intake's "sent by Nectr itself" rule.
/// </summary>
internal sealed record CommandIntake(string? SkipReason, CommandRequest? Request, int Number)
{
    public const string NeverFromBots = "commands are never taken from bots or Nectr itself";

    /// <summary>The decision for a comment event, or null for any other event.</summary>
    public static CommandIntake? Read(string eventName, WebhookPayload payload, string handle)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var kind = eventName switch
        {
            "issue_comment" => CommentKind.Issue,
            "pull_request_review_comment" => CommentKind.Review,
            _ => (CommentKind?)null,
        };
        if (kind is null)
        {
            return null;
        }

        if (payload.Action != "created")
        {
            return Skip($"{eventName} action '{payload.Action}': only new comments can give commands (edits and deletions are ignored)");
        }

        var number = kind == CommentKind.Review ? payload.PullRequest?.Number : PullRequestNumber(payload.Issue);
        if (number is not > 0)
        {
            return Skip("a comment on an issue, not a pull request: commands work on pull requests only");
        }

        if (payload.Comment is not { } comment || payload.Repository?.FullName is null)
        {
            return Skip("the comment or its repository is missing from the payload", number.Value);
        }

        var author = comment.User?.Login ?? payload.Sender?.Login;
        if (IsBot(payload.Sender) || IsBot(comment.User))
        {
            return Skip($"comment by a bot ({payload.Sender?.Login ?? author}): {NeverFromBots}", number.Value);
        }

        if (CommandReplies.CarriesNectrMarker(comment.Body))
        {
            return Skip($"comment carries Nectr's hidden marker: {NeverFromBots}", number.Value);
        }

        if (CommandParser.Parse(comment.Body, handle) is not { } command)
        {
            return Skip($"comment is not a command (@{handle} … or /{handle} … at the start of a line)", number.Value);
        }

        if (string.IsNullOrEmpty(author))
        {
            return Skip("the comment names no author, whose write access a command needs", number.Value);
        }

        var inReplyTo = kind == CommentKind.Review ? comment.InReplyToId : null;
        return new CommandIntake(null, new CommandRequest(command.Verb, command.Argument, command.Line, comment.Id, kind.Value, author, inReplyTo), number.Value);
    }

    private static CommandIntake Skip(string reason, int number = 0) => new(reason, null, number);

    private static bool IsBot(WebhookUser? user) =>
        user is not null && (string.Equals(user.Type, "Bot", StringComparison.OrdinalIgnoreCase)
            || (user.Login?.EndsWith("[bot]", StringComparison.OrdinalIgnoreCase) ?? false));

    /// <summary>An issue comment's PR number: the issue must be a pull request (GitHub sends <c>issue.pull_request</c> then).</summary>
    private static int? PullRequestNumber(JsonElement? issue) =>
        issue is { ValueKind: JsonValueKind.Object } i
            && i.TryGetProperty("pull_request", out var pr) && pr.ValueKind == JsonValueKind.Object
            && i.TryGetProperty("number", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var number)
            ? number
            : null;
}

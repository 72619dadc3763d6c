using System.Text.Json;
using System.Text.Json.Serialization;
using Nectr.Engine.Commands;

namespace Nectr.Commands;

/// <summary>Where a command was written: a PR conversation comment (an issue comment) or an inline review comment.</summary>
internal enum CommentKind { Issue = 0, Review = 1 }

/// <summary>
/// A command as intake read it, stored with its job (<c>review_jobs.CommandJson</c>): what to do, and the comment it
/// came from (reactions go on it, replies into its thread). <see cref="InReplyToId"/> is the review comment a reply in an
/// inline thread answers: for <c>explain</c> with no argument, that comment's finding.
/// </summary>
internal sealed record CommandRequest(
    CommandVerb Verb,
    string Argument,
    string Line,
    long CommentId,
    CommentKind CommentKind,
    string Author,
    long? InReplyToId)
{
    public string ToJson() => JsonSerializer.Serialize(this, CommandJsonContext.Default.CommandRequest);

    public static CommandRequest FromJson(string json) =>
        JsonSerializer.Deserialize(json, CommandJsonContext.Default.CommandRequest) ?? throw new JsonException("A command job without its command.");

    /// <summary>How the command reads in reasons and logs: <c>@nectr full review by alice</c>.</summary>
    public string Describe(string handle) => $"@{handle} {(Verb == CommandVerb.Unknown ? "(unknown)" : new ParsedCommand(Verb, "", "").Name)} by {Author}";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CommandRequest))]
internal sealed partial class CommandJsonContext : JsonSerializerContext;

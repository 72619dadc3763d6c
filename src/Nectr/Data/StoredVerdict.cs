using Nectr.Engine.Review;

namespace Nectr.Data;

/// <summary>How a <see cref="Verdict"/> is stored in <c>reviews.Verdict</c> and spelled in the API: one place for the words.</summary>
internal static class StoredVerdict
{
    public const string Approve = "approve";
    public const string RequestChanges = "request_changes";
    public const string NeedsDiscussion = "needs_discussion";

    public static IReadOnlyList<string> All { get; } = [Approve, RequestChanges, NeedsDiscussion];

    /// <summary>The verdict a stored word names; null for none or a word this version does not know.</summary>
    public static Verdict? Parse(string? stored) => stored switch
    {
        Approve => Verdict.Approve,
        RequestChanges => Verdict.RequestChanges,
        NeedsDiscussion => Verdict.NeedsDiscussion,
        _ => null,
    };

    public static string Of(Verdict verdict) => verdict switch
    {
        Verdict.RequestChanges => RequestChanges,
        Verdict.NeedsDiscussion => NeedsDiscussion,
        _ => Approve,
    };
}

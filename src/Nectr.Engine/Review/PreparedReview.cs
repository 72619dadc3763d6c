using Nectr.Engine.Diffs;

namespace Nectr.Engine.Review;

/// <summary>
/// A review after the deterministic stage: files filtered (with reasons), patches parsed, built-in checks run.
/// The AI stage reads it; <see cref="ReviewEngine.Finish"/> turns it, with whatever the AI stage produced, into
/// the one review that is posted.
/// </summary>
public sealed class PreparedReview
{
    internal PreparedReview(ReviewRequest request, IReadOnlyList<ReviewableFile> files, IReadOnlyList<Finding> builtIn, IReadOnlyList<SkippedFile> skipped)
    {
        Request = request;
        Files = files;
        BuiltIn = builtIn;
        Skipped = skipped;
        Patches = files.ToDictionary(f => f.File.Path, f => f.Patch, StringComparer.Ordinal);
    }

    public ReviewRequest Request { get; }

    /// <summary>Files that passed the filter and whose patch parsed, in the PR's order.</summary>
    public IReadOnlyList<ReviewableFile> Files { get; }

    public IReadOnlyDictionary<string, FilePatch> Patches { get; }

    /// <summary>Findings of the built-in checks (secrets, conflict markers); the AI stage gets them as hints.</summary>
    public IReadOnlyList<Finding> BuiltIn { get; }

    /// <summary>Files not reviewed at all (lock files, generated, binary, unreadable patch) and why.</summary>
    public IReadOnlyList<SkippedFile> Skipped { get; }
}

/// <summary>A file of the PR that is reviewed, with its parsed patch.</summary>
public sealed record ReviewableFile(PullRequestFile File, FilePatch Patch);

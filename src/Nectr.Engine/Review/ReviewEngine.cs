using Nectr.Engine.Checks;
using Nectr.Engine.Checks.Secrets;
using Nectr.Engine.Diffs;
using Nectr.Engine.Findings;

namespace Nectr.Engine.Review;

/// <summary>
/// Reviews one pull request with the built-in checks: filter files, parse patches, run checks on added lines,
/// anchor findings to the diff, render one review. Pure and thread-safe; one instance serves every review.
/// </summary>
public sealed class ReviewEngine
{
    private readonly SecretCheck _secrets = SecretCheck.Default;

    public ReviewResult Review(ReviewRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var skipped = new List<SkippedFile>();
        var patches = new Dictionary<string, FilePatch>(StringComparer.Ordinal);
        var findings = new List<Finding>();
        foreach (var file in request.Files)
        {
            if (FileFilter.SkipReason(file) is { } reason)
            {
                skipped.Add(new SkippedFile(file.Path, reason));
                continue;
            }

            FilePatch patch;
            try
            {
                patch = PatchParser.Parse(file.Patch!);
            }
            catch (PatchFormatException)
            {
                skipped.Add(new SkippedFile(file.Path, "unreadable patch"));
                continue;
            }

            patches[file.Path] = patch;
            findings.AddRange(_secrets.Scan(file.Path, patch));
            findings.AddRange(ConflictMarkerCheck.Scan(file.Path, patch));
        }

        var unique = Anchoring.Dedupe(findings);
        var (inline, unanchored) = Anchoring.Place(unique, patches, request.Settings.MaxInlineComments);
        var coverage = new Coverage(Math.Max(request.ChangedFiles, request.Files.Count), patches.Count, skipped);
        var ordered = inline.Select(i => i.Finding).Concat(unanchored).ToList();
        var body = Markdown.Body(request, ordered, unanchored, coverage);
        return new ReviewResult(body, inline.Select(i => i.Comment).ToList(), ordered, unanchored, coverage);
    }
}

using Nectr.Engine.Checks;
using Nectr.Engine.Checks.Secrets;
using Nectr.Engine.Context;
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

    /// <summary>The built-in review alone (LLM_PROVIDER=none).</summary>
    public ReviewResult Review(ReviewRequest request) => Finish(Prepare(request), ai: null);

    /// <summary>The deterministic stage: filter files, parse patches, run the built-in checks on added lines.</summary>
    public PreparedReview Prepare(ReviewRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var skipped = new List<SkippedFile>();
        var reviewable = new List<ReviewableFile>();
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

            reviewable.Add(new ReviewableFile(file, patch));
            var found = _secrets.Scan(file.Path, patch).Concat(ConflictMarkerCheck.Scan(file.Path, patch));
            findings.AddRange(found.Select(f => f with { Fingerprint = Fingerprints.Of(f, patch) }));
        }

        return new PreparedReview(request, reviewable, Anchoring.Dedupe(findings), skipped);
    }

    /// <summary>
    /// Merges the model's findings (when there are any) with the built-in ones, places them on the diff, decides
    /// the verdict by policy and renders the one review to post. Model text is cleaned before it is used.
    /// <paramref name="context"/>, when given, adds the sections on linked and candidate issues, related past work
    /// and open-PR conflicts (see <see cref="ContextSections"/>).
    /// </summary>
    public static ReviewResult Finish(PreparedReview prepared, AiOutcome? ai, ReviewContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var request = prepared.Request;
        var answer = ai?.Answer;
        var fromModel = answer is null ? [] : FindingPipeline.FromModel(answer.Findings, prepared.Patches, request.Owner, request.Repo);
        var findings = Anchoring.Dedupe(prepared.BuiltIn.Concat(fromModel));
        var (inline, unanchored) = Anchoring.Place(findings, prepared.Patches, request.Settings);
        var ordered = inline.Select(i => i.Finding).Concat(unanchored).ToList();
        var (verdict, reason) = VerdictPolicy.Decide(ordered);

        var notSent = ai?.NotSent ?? [];
        var notSeen = notSent.Select(n => n.Path).ToHashSet(StringComparer.Ordinal);
        var coverage = new Coverage(Math.Max(request.ChangedFiles, request.Files.Count), prepared.Files.Count, prepared.Skipped)
        {
            ModelReviewedFiles = ai is null ? null : answer is null ? 0 : prepared.Files.Count(f => !notSeen.Contains(f.File.Path)),
            NotSentToModel = notSent,
            ContextGaps = context?.Gaps ?? [],
        };
        var view = new ReviewView(
            verdict,
            reason,
            answer is null ? null : OutputHygiene.Clean(answer.Summary, request.Owner, request.Repo),
            // Each key change is one list item: joined onto one line before cleaning, since joining after would
            // spill a cleaned-as-code fenced block onto the line as text that was never cleaned.
            answer?.KeyChanges.Select(k => OutputHygiene.Clean(k.ReplaceLineEndings(" "), request.Owner, request.Repo)).Where(k => k.Length > 0).ToList() ?? [],
            ai?.Notes ?? [],
            ai?.Model,
            ai?.Usage ?? LlmUsage.None,
            answer?.Confidence)
        {
            Context = ContextSections.Render(request, context ?? ReviewContext.Empty, answer),
        };
        var body = Markdown.Body(request, ordered, unanchored, coverage, view);
        return new ReviewResult(body, inline.Select(i => i.Comment).ToList(), ordered, unanchored, coverage)
        {
            BodyWithoutInline = inline.Count == 0 ? body : Markdown.Body(request, ordered, ordered, coverage, view, inlineRefused: true),
            Verdict = verdict,
            VerdictReason = reason,
            Event = VerdictPolicy.GitHubEvent(verdict, request.Settings),
            Model = ai?.Model,
            Usage = ai?.Usage ?? LlmUsage.None,
            Overview = view.Summary is { Length: > 0 } overview ? overview : null,
        };
    }
}

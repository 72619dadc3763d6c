using System.Text;
using Nectr.Engine.Checks.Secrets;
using Nectr.Engine.Diffs;
using Nectr.Engine.Review;

namespace Nectr.Engine.Prompts;

/// <summary>
/// Renders a file's patch the way the model reads it: every added and context line carries its new-file line
/// number, so findings cite lines the anchoring step can check; removed lines have no new number. Everything
/// rendered here has already passed the secret redactor and the untrusted-delimiter neutraliser, so the token
/// count of the rendered text is the count of what is sent.
/// <code>
/// ### src/Api/Users.cs (modified, +2 -1)
/// @@ -10,4 +10,5 @@ public sealed class Users
///   10   context
///   11 + added
///        - removed
/// </code>
/// </summary>
public static class HunkRenderer
{
    /// <summary>A deletion-only file with more removed lines than this is summarised: the model cannot comment on removed lines.</summary>
    internal const int SummariseDeletionsOver = 30;

    private const int MinimumNumberWidth = 4;

    public static string Render(ReviewableFile file)
    {
        var parts = RenderParts(file);
        var builder = new StringBuilder(parts.Header.Length + parts.Hunks.Sum(h => h.Text.Length));
        builder.Append(parts.Header);
        foreach (var hunk in parts.Hunks)
        {
            builder.Append(hunk.Text);
        }

        return builder.ToString();
    }

    /// <summary>The note that ends a file whose later hunks did not fit.</summary>
    internal static string ClipNote(int fromLine) =>
        $"… hunks from line {fromLine} on were not sent (token budget)\n";

    /// <summary>Header and hunks separately, so the planner can send the leading hunks of a file too big for one call.</summary>
    internal static RenderedFile RenderParts(ReviewableFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var patch = file.Patch;
        var summarise = patch.Additions == 0 && patch.Deletions > SummariseDeletionsOver;
        var width = NumberWidth(patch);
        var hunks = new List<RenderedHunk>(patch.Hunks.Count);
        var builder = new StringBuilder();
        foreach (var hunk in patch.Hunks)
        {
            builder.Clear();
            AppendHunkHeader(builder, hunk);
            if (summarise)
            {
                var removed = hunk.Lines.Count(l => l.Kind == DiffLineKind.Removed);
                builder.Append(' ', width).Append(" - (").Append(removed).Append(removed == 1 ? " line deleted)\n" : " lines deleted)\n");
            }
            else
            {
                AppendLines(builder, patch, hunk, width);
            }

            hunks.Add(new RenderedHunk(UntrustedText.Neutralise(builder.ToString()), hunk.NewStart));
        }

        return new RenderedFile(Header(file.File, patch, summarise), hunks);
    }

    private static string Header(PullRequestFile file, FilePatch patch, bool summarised)
    {
        var builder = new StringBuilder("### ").Append(SafePath(file.Path)).Append(" (").Append(SafePath(file.Status));
        if (file.PreviousPath is { } previous && previous != file.Path)
        {
            builder.Append(", renamed from ").Append(SafePath(previous));
        }

        builder.Append(", +").Append(patch.Additions).Append(" -").Append(patch.Deletions);
        if (summarised)
        {
            builder.Append(", deletion only: removed lines not shown");
        }

        return UntrustedText.Neutralise(SecretRedactor.Redact(builder.Append(")\n").ToString()));
    }

    /// <summary>Paths come from the PR: a line break in one must not start a fake line of the diff.</summary>
    private static string SafePath(string path) =>
        path.AsSpan().IndexOfAnyInRange('\0', '\u001F') < 0 ? path : string.Create(path.Length, path, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });

    private static void AppendHunkHeader(StringBuilder builder, Hunk hunk)
    {
        builder.Append("@@ -").Append(hunk.OldStart).Append(',').Append(hunk.OldCount)
            .Append(" +").Append(hunk.NewStart).Append(',').Append(hunk.NewCount).Append(" @@");
        if (hunk.Section.Length > 0)
        {
            builder.Append(' ').Append(SecretRedactor.Redact(hunk.Section));
        }

        builder.Append('\n');
    }

    private static void AppendLines(StringBuilder builder, FilePatch patch, Hunk hunk, int width)
    {
        var (spans, starts) = Secrets(patch, hunk);
        var first = 0;
        for (var i = 0; i < hunk.Lines.Count; i++)
        {
            var line = hunk.Lines[i];
            if (line.Kind == DiffLineKind.Removed)
            {
                builder.Append(' ', width).Append(" -");
            }
            else
            {
                builder.Append(' ', width - Digits(line.NewLine)).Append(line.NewLine).Append(line.Kind == DiffLineKind.Added ? " +" : "  ");
            }

            var text = patch.LineSpan(line);
            if (text.Length > 0 || spans.Count > 0)
            {
                builder.Append(' ');
            }

            if (spans.Count == 0)
            {
                builder.Append(text);
            }
            else
            {
                AppendRedacted(builder, text, starts[i], spans, ref first);
            }

            builder.Append('\n');
        }
    }

    /// <summary>
    /// Secrets in the hunk, found in its lines joined with line breaks (a private key spans lines), with the offset of
    /// each line in that joined text. Redacting per line keeps every line, and so every line number, in place.
    /// </summary>
    private static (List<SecretSpan> Spans, int[] Starts) Secrets(FilePatch patch, Hunk hunk)
    {
        if (hunk.Lines.Count == 0)
        {
            return ([], []);
        }

        // The raw region holds every character of the joined lines, so no keyword there means no secret in them.
        var firstLine = hunk.Lines[0];
        var lastLine = hunk.Lines[^1];
        if (!SecretCheck.Default.MayContainSecret(patch.Text.AsSpan(firstLine.Start, lastLine.Start + lastLine.Length - firstLine.Start)))
        {
            return ([], []);
        }

        var starts = new int[hunk.Lines.Count];
        var joined = new StringBuilder();
        for (var i = 0; i < hunk.Lines.Count; i++)
        {
            if (i > 0)
            {
                joined.Append('\n');
            }

            starts[i] = joined.Length;
            joined.Append(patch.LineSpan(hunk.Lines[i]));
        }

        return (SecretCheck.Default.FindSecrets(joined.ToString()), starts);
    }

    private static void AppendRedacted(StringBuilder builder, ReadOnlySpan<char> text, int lineStart, List<SecretSpan> spans, ref int first)
    {
        var lineEnd = lineStart + text.Length;
        while (first < spans.Count && spans[first].End <= lineStart)
        {
            first++;
        }

        var position = lineStart;
        for (var k = first; k < spans.Count && spans[k].Start < lineEnd; k++)
        {
            var span = spans[k];
            if (span.Start > position)
            {
                builder.Append(text[(position - lineStart)..(span.Start - lineStart)]);
            }

            SecretRedactor.AppendMarker(builder, span.RuleId);
            position = Math.Min(span.End, lineEnd);
        }

        builder.Append(text[(position - lineStart)..]);
    }

    private static int NumberWidth(FilePatch patch)
    {
        var last = patch.Hunks.Count == 0 ? 0 : patch.Hunks.Max(h => h.NewStart + h.NewCount - 1);
        return Math.Max(MinimumNumberWidth, Digits(last));
    }

    private static int Digits(int value)
    {
        var digits = 1;
        for (; value >= 10; value /= 10)
        {
            digits++;
        }

        return digits;
    }
}

/// <summary>One rendered hunk and the new-file line it starts at (named in the note when later hunks are clipped).</summary>
internal sealed record RenderedHunk(string Text, int NewStart);

internal sealed record RenderedFile(string Header, IReadOnlyList<RenderedHunk> Hunks);

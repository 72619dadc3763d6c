using System.Text;
using Nectr.Engine.Review;

namespace Nectr.Reviews;

internal static class ReviewBodies
{
    /// <summary>
    /// Body text for inline comments GitHub refused, so no finding is lost when posting without them. Each comment
    /// is a list item with its body indented under it, not joined onto one line: a fenced block in a cleaned body
    /// would otherwise spill onto the line as text that was never cleaned. Paths come from the PR: inert inline code.
    /// </summary>
    public static string InlineRefusedAppendix(IReadOnlyList<InlineComment> comments)
    {
        var text = new StringBuilder();
        text.Append("\n\n### Findings that could not be placed inline\n\n");
        foreach (var comment in comments)
        {
            var lines = comment.StartLine is { } start ? $"{start}-{comment.Line}" : comment.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
            text.Append("- `").Append(OutputHygiene.InlineCode(comment.Path)).Append("` line ").Append(lines).Append("\n\n  ")
                .Append(comment.Body.ReplaceLineEndings("\n  ")).Append("\n\n");
        }

        return text.ToString();
    }
}

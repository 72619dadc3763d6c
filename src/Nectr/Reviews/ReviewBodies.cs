using System.Text;
using Nectr.Engine.Review;

namespace Nectr.Reviews;

internal static class ReviewBodies
{
    /// <summary>Body text for inline comments GitHub refused, so no finding is lost when posting without them.</summary>
    public static string InlineRefusedAppendix(IReadOnlyList<InlineComment> comments)
    {
        var text = new StringBuilder();
        text.Append("\n\n### Findings that could not be placed inline\n\n");
        foreach (var comment in comments)
        {
            var lines = comment.StartLine is { } start ? $"{start}-{comment.Line}" : comment.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
            text.Append("- `").Append(comment.Path).Append("` line ").Append(lines).Append(": ")
                .Append(comment.Body.ReplaceLineEndings(" ")).Append('\n');
        }

        return text.ToString();
    }
}

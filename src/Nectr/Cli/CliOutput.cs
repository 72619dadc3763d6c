using System.Text;
using System.Text.Json;
using Nectr.Data;
using Nectr.Engine.Review;
using Nectr.Reviews;

namespace Nectr.Cli;

/// <summary>What <c>nectr review</c> prints: the review as GitHub would show it, or one JSON object for tools.</summary>
internal static class CliOutput
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Markdown(ReviewResult result)
    {
        var text = new StringBuilder(result.Body);
        if (result.Comments.Count > 0)
        {
            text.Append("\n### Inline comments\n");
            foreach (var comment in result.Comments)
            {
                var lines = comment.StartLine is { } start ? $"{start}-{comment.Line}" : comment.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                text.Append("\n#### `").Append(comment.Path).Append(':').Append(lines).Append("`\n\n").Append(comment.Body).Append('\n');
            }
        }

        return text.ToString();
    }

    public static string Json(ReviewRequest request, ReviewResult result) => JsonSerializer.Serialize(new
    {
        head_sha = request.HeadSha,
        verdict = StoredVerdict.Of(result.Verdict).ToUpperInvariant(),
        verdict_reason = result.VerdictReason,
        @event = result.Event,
        model = result.Model,
        findings = ReportedFinding.Of(result), // the same mapping the worker stores
        coverage = new
        {
            changed_files = result.Coverage.ChangedFiles,
            reviewed_files = result.Coverage.ReviewedFiles,
            skipped = result.Coverage.Skipped.Select(s => new { path = s.Path, reason = s.Reason }),
        },
        usage = new
        {
            calls = result.Usage.Calls,
            input_tokens = result.Usage.InputTokens,
            output_tokens = result.Usage.OutputTokens,
            cost_usd = result.Usage.CostUsd,
        },
        body = result.Body,
    }, JsonOptions) + "\n";
}

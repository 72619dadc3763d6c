using System.Text.Json;
using Nectr.Engine.Budget;
using Nectr.Engine.Diffs;
using Nectr.Engine.Findings;
using Nectr.Engine.Review;

namespace Nectr.Benchmarks.Engine;

/// <summary>
/// What a model would answer for one chunk of a plan: about ten findings on real lines of that chunk's files, in the
/// ways models write them (a fence and a sentence around the JSON, indented; a "b/" path prefix, a line just outside
/// a hunk, a line not in the diff, a two-line range with a suggestion), so parsing and the findings pipeline do
/// their usual work.
/// </summary>
internal static class CannedAnswers
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly (Severity Severity, string Category, string Title, string Body)[] Shapes =
    [
        (Severity.High, "correctness", "Possible null dereference", "`GetAsync` returns null when the row does not exist, and the next line dereferences it. Return 404 before using the value, as the other handlers in this folder do."),
        (Severity.Medium, "performance", "Query inside a loop", "Each iteration runs one query, so a page of 500 rows costs 500 round trips. Load the rows once with an `IN` list or a join."),
        (Severity.Low, "maintainability", "Magic number for the page size", "The page size is written inline here and in the client; a named constant keeps the two in step."),
        (Severity.Critical, "security", "User input concatenated into SQL", "The identifier reaches the query text unescaped. Use a parameter; see https://owasp.org/www-community/attacks/SQL_Injection for why."),
        (Severity.Nit, "style", "Comment repeats the code", "The comment says what the next line does; say why instead, or drop it."),
        (Severity.Medium, "error-handling", "Exception swallowed", "The `catch` logs and continues, so the caller reports success for a failed export. Rethrow, or return the failure."),
        (Severity.Low, "testing", "No test for the empty case", "The new branch for an empty page has no test; the old tests only cover a full page."),
        (Severity.High, "concurrency", "Shared list mutated without a lock", "Two requests can append at once; `List<T>` is not thread-safe. Use a local list or a concurrent collection."),
    ];

    /// <summary>One answer text per chunk of <paramref name="plan"/>.</summary>
    public static string[] For(ChunkPlan plan, PreparedReview prepared) =>
        plan.Chunks.Select(chunk => Answer(chunk, prepared.Patches)).ToArray();

    private static string Answer(PromptChunk chunk, IReadOnlyDictionary<string, FilePatch> patches)
    {
        var findings = new List<ModelFinding>();
        var files = chunk.Files.Where(f => patches[f.Path].Additions > 0).ToList();
        var step = Math.Max(1, files.Count / 10);
        for (var i = 0; i < files.Count && findings.Count < 10; i += step)
        {
            var path = files[i].Path;
            var patch = patches[path];
            var added = patch.AddedLines().ToList();
            var line = added[added.Count / 2].NewLine;
            var (severity, category, title, body) = Shapes[findings.Count % Shapes.Length];
            findings.Add((findings.Count % 10) switch
            {
                // Models echo git's prefixes, miscount near hunk edges, and sometimes cite a line outside the diff.
                2 => new ModelFinding("b/" + path, line, null, severity, category, title, body, null),
                5 => new ModelFinding(path, patch.Hunks[0].NewStart - 2, null, severity, category, title, body, null),
                8 => new ModelFinding(path, patch.Hunks[^1].NewStart + patch.Hunks[^1].NewCount + 40, null, severity, category, title, body, null),
                6 when added.Count >= 2 && added[1].NewLine == added[0].NewLine + 1 => new ModelFinding(
                    path, added[0].NewLine, added[1].NewLine, severity, category, title, body,
                    patch.LineText(added[0]).Trim() + "\n" + patch.LineText(added[1]).TrimEnd()),
                _ => new ModelFinding(path, line, null, severity, category, title, body, null),
            });
        }

        var answer = new ModelAnswer(
            "Renames the customer model to account across the services and adds the CSV export. The rename is mechanical; "
                + "the export handler has a null path and a query per row worth fixing before merge.",
            ["Customer renamed to Account in models, handlers and migrations", "CSV export endpoint with paging", "Backfill migration for account_id"],
            findings,
            4);
        var json = JsonSerializer.Serialize(JsonDocument.Parse(AnswerJson.Write(answer)).RootElement, Indented);
        return "Here is my review of this part.\n\n```json\n" + json + "\n```\n";
    }
}

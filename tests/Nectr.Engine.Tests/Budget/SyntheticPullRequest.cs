using System.Globalization;
using System.Text;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Budget;

/// <summary>Builds pull requests with realistic, well-formed patches, deterministically from a seed.</summary>
internal static class SyntheticPullRequest
{
    public static ReviewRequest Request(IReadOnlyList<PullRequestFile> files, string title = "Add invoice export", string? description = "Exports invoices as CSV.") =>
        new("acme", "billing", 42, title, "0123456789abcdef0123456789abcdef01234567", 7, files, files.Count, ReviewSettings.Default)
        {
            Description = description,
            CommitMessages = ["Add CSV writer", "Wire the export endpoint"],
        };

    public static PreparedReview Prepare(IReadOnlyList<PullRequestFile> files) => new ReviewEngine().Prepare(Request(files));

    public static PullRequestFile File(string path, string patch, string status = "modified", string? previousPath = null)
    {
        int added = 0, removed = 0;
        foreach (var line in patch.Split('\n'))
        {
            if (line.StartsWith('+'))
            {
                added++;
            }
            else if (line.StartsWith('-'))
            {
                removed++;
            }
        }

        return new PullRequestFile(path, status, added, removed, patch, previousPath);
    }

    /// <summary>A patch of <paramref name="hunks"/> hunks, each with three context lines around its changes.</summary>
    public static string Patch(Random random, int hunks, int maxAdded, int maxRemoved = 2)
    {
        var builder = new StringBuilder();
        var oldLine = 1 + random.Next(40);
        var newLine = oldLine;
        for (var h = 0; h < hunks; h++)
        {
            var added = random.Next(maxAdded + 1);
            var removed = random.Next(maxRemoved + 1);
            if (added + removed == 0)
            {
                added = 1;
            }

            builder.Append(CultureInfo.InvariantCulture, $"@@ -{oldLine},{removed + 6} +{newLine},{added + 6} @@ public sealed class Service{h}\n");
            for (var i = 0; i < 3; i++)
            {
                builder.Append(' ').Append(Code(random, oldLine + i)).Append('\n');
            }

            for (var i = 0; i < removed; i++)
            {
                builder.Append('-').Append(Code(random, oldLine + 3 + i)).Append('\n');
            }

            for (var i = 0; i < added; i++)
            {
                builder.Append('+').Append(Code(random, newLine + 3 + i)).Append('\n');
            }

            for (var i = 0; i < 3; i++)
            {
                builder.Append(' ').Append(Code(random, oldLine + 3 + removed + i)).Append('\n');
            }

            var gap = 5 + random.Next(30);
            oldLine += removed + 6 + gap;
            newLine += added + 6 + gap;
        }

        return builder.ToString().TrimEnd('\n');
    }

    /// <summary>A deletion-only patch: one hunk removing <paramref name="removed"/> lines.</summary>
    public static string DeletionPatch(Random random, int removed)
    {
        var builder = new StringBuilder().Append(CultureInfo.InvariantCulture, $"@@ -5,{removed + 2} +5,2 @@\n context\n");
        for (var i = 0; i < removed; i++)
        {
            builder.Append('-').Append(Code(random, 6 + i)).Append('\n');
        }

        return builder.Append(" context").ToString();
    }

    private static readonly string[] Shapes =
    [
        "        var total{0} = items.Where(i => i.Amount > {0}).Sum(i => i.Amount);",
        "        if (request.Customer is null) throw new ArgumentException(\"customer {0}\");",
        "        await writer.WriteLineAsync($\"{{invoice.Id}},{{invoice.Total}}\", cancellationToken);",
        "    public async Task<IResult> Export{0}(int id, CancellationToken cancellationToken)",
        "        logger.LogInformation(\"Exported {{Count}} invoices\", count{0});",
        "        // Rounds half away from zero, as the tax office expects.",
        "        return Results.File(stream, \"text/csv\", $\"invoices-{0}.csv\");",
        "    }}",
        "",
    ];

    private static string Code(Random random, int n) =>
        string.Format(CultureInfo.InvariantCulture, Shapes[random.Next(Shapes.Length)], n);
}

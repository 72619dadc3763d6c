using System.Globalization;
using System.Text.RegularExpressions;
using Nectr.Engine.Review;

namespace Nectr.Engine.Findings;

/// <summary>
/// Turns a leniently read JSON object into a <see cref="ModelAnswer"/>, accepting the variations models produce:
/// key spellings, numbers as strings, line ranges, severity synonyms, a single string where a list belongs.
/// </summary>
internal static partial class AnswerMapping
{
    public static bool LooksLikeAnswer(Dictionary<string, object?> obj) => obj.ContainsKey("findings") || obj.ContainsKey("summary");

    public static ModelAnswer ToAnswer(Dictionary<string, object?> obj, out int dropped)
    {
        dropped = 0;
        var findings = new List<ModelFinding>();
        foreach (var item in Items(Get(obj, "findings", "issues")))
        {
            if (item is Dictionary<string, object?> raw && ToFinding(raw) is { } finding)
            {
                findings.Add(finding);
            }
            else
            {
                dropped++;
            }
        }

        var keyChanges = Items(Get(obj, "keychanges", "changes")).Select(Text).OfType<string>()
            .Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        return new ModelAnswer(Text(Get(obj, "summary"))?.Trim() ?? "", keyChanges, findings, Confidence(Get(obj, "confidence")))
        {
            Resolves = Resolutions(Get(obj, "resolves", "resolvedissues", "resolutions")),
        };
    }

    private static ModelFinding? ToFinding(Dictionary<string, object?> raw)
    {
        var file = Text(Get(raw, "file", "path", "filename", "filepath"))?.Trim();
        var (line, rangeEnd) = Lines(Get(raw, "line", "startline", "linenumber", "lineno", "lines"));
        var title = Text(Get(raw, "title", "headline", "issue"))?.Trim() ?? "";
        var body = Text(Get(raw, "body", "description", "message", "details", "explanation", "comment"))?.Trim() ?? "";
        if (string.IsNullOrEmpty(file) || line is null || (title.Length == 0 && body.Length == 0))
        {
            return null;
        }

        if (title.Length == 0)
        {
            var firstLine = body.Split('\n')[0];
            title = firstLine.Length > 100 ? firstLine[..100] + "…" : firstLine;
        }

        var end = Get(raw, "endline", "lineend", "end", "lastline") is { } explicitEnd ? Lines(explicitEnd).Start : rangeEnd;
        var category = Text(Get(raw, "category", "type", "kind"))?.Trim();
        return new ModelFinding(
            file,
            line.Value,
            end,
            Severity(Text(Get(raw, "severity", "level", "priority"))),
            string.IsNullOrEmpty(category) ? "general" : category,
            title,
            body,
            Suggestion(Get(raw, "suggestion", "suggestedcode", "fix", "replacement")));
    }

    private static object? Get(Dictionary<string, object?> obj, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (obj.TryGetValue(key, out var value) && value is not null)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>A list as itself, a single value as a list of one (models write "key_changes": "one change").</summary>
    private static List<object?> Items(object? value) => value switch
    {
        null => [],
        List<object?> list => list,
        _ => [value],
    };

    private static string? Text(object? value) => value switch
    {
        string s => s,
        double d => d.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        List<object?> list => string.Join('\n', list.Select(Text).OfType<string>()),
        _ => null,
    };

    /// <summary>A line as a number, a numeric string, a range such as "42-45" or "L42..L45", or a [start, end] pair.</summary>
    internal static (int? Start, int? End) Lines(object? value)
    {
        switch (value)
        {
            case double d:
                return (ToInt(d), null);
            case List<object?> { Count: > 0 } list:
                return (Lines(list[0]).Start, list.Count > 1 ? Lines(list[1]).Start : null);
            case string s:
                var match = LineText().Match(s);
                if (!match.Success)
                {
                    return (null, null);
                }

                var start = ParseInt(match.Groups["start"].Value);
                return (start, match.Groups["end"].Success ? ParseInt(match.Groups["end"].Value) : null);
            default:
                return (null, null);
        }
    }

    private static int? ParseInt(string digits) =>
        double.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d) ? ToInt(d) : null;

    /// <summary>Absurd numbers are kept as unplaceable lines rather than overflowing.</summary>
    private static int? ToInt(double d) => double.IsFinite(d) ? (int)Math.Clamp(Math.Truncate(d), int.MinValue, int.MaxValue) : null;

    internal static Severity Severity(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "critical" or "blocker" or "crit" or "fatal" => Review.Severity.Critical,
        "high" or "major" or "error" or "severe" or "important" => Review.Severity.High,
        "medium" or "moderate" or "warning" or "warn" or "med" => Review.Severity.Medium,
        "low" or "minor" or "info" or "informational" => Review.Severity.Low,
        "nit" or "nitpick" or "style" or "trivial" or "cosmetic" => Review.Severity.Nit,
        _ => Review.Severity.Medium, // an unknown word is neither dismissed nor escalated
    };

    /// <summary>1–5; a fraction is read as a probability, anything else out of range is clamped.</summary>
    internal static int? Confidence(object? value)
    {
        double? number = value switch
        {
            double d => d,
            string s when ConfidenceText().Match(s) is { Success: true } m
                && double.TryParse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
        if (number is not { } n || !double.IsFinite(n))
        {
            return null;
        }

        if (n is > 0 and < 1)
        {
            n *= 5;
        }

        return (int)Math.Clamp(Math.Round(n, MidpointRounding.AwayFromZero), 1, 5);
    }

    private static string? Suggestion(object? value)
    {
        var text = value switch
        {
            string s => s,
            List<object?> lines => string.Join('\n', lines.Select(Text).OfType<string>()),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    [GeneratedRegex(@"^\s*(?:L|line\s*)?(?<start>-?\d{1,12})\s*(?:(?:-|–|—|\.\.\.?|to)\s*L?(?<end>\d{1,12}))?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LineText();

    [GeneratedRegex(@"-?\d+(?:\.\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex ConfidenceText();
}

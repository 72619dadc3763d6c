using System.Globalization;
using System.Text.RegularExpressions;

namespace Nectr.Engine.Findings;

/// <summary>The <c>resolves</c> list of an answer: which candidate issues the model says the change resolves.</summary>
internal static partial class AnswerMapping
{
    /// <summary>More claims than candidates (8) and linked issues (5) together is not a real answer.</summary>
    internal const int MaxResolves = 16;

    /// <summary>A reason is one sentence in a list item; longer text is cut.</summary>
    internal const int MaxReasonChars = 300;

    /// <summary>
    /// Valid claims in the model's order, one per issue (the first wins). A claim without an issue number (a whole
    /// number; "#12" as text is read too) or with a confidence outside 1–5 is left out, never guessed at.
    /// </summary>
    private static List<ModelResolution> Resolutions(object? value)
    {
        var resolutions = new List<ModelResolution>();
        foreach (var item in Items(value))
        {
            if (item is not Dictionary<string, object?> raw
                || IssueNumber(Get(raw, "number", "issue", "issuenumber")) is not { } number
                || ClaimConfidence(Get(raw, "confidence")) is not { } confidence
                || resolutions.Exists(r => r.Number == number))
            {
                continue;
            }

            resolutions.Add(new ModelResolution(number, confidence, Reason(Text(Get(raw, "reason", "why", "explanation")))));
            if (resolutions.Count == MaxResolves)
            {
                break;
            }
        }

        return resolutions;
    }

    private static int? IssueNumber(object? value)
    {
        double? number = value switch
        {
            double d => d,
            string s when IssueNumberText().Match(s) is { Success: true } m => double.Parse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture),
            _ => null,
        };
        return number is { } n && n >= 1 && n <= int.MaxValue && Math.Truncate(n) == n ? (int)n : null;
    }

    private static int? ClaimConfidence(object? value)
    {
        double? number = value switch
        {
            double d => d,
            string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
        return number is { } n && n >= 1 && n <= 5 ? (int)Math.Round(n, MidpointRounding.AwayFromZero) : null;
    }

    private static string Reason(string? text)
    {
        var reason = (text ?? "").ReplaceLineEndings(" ").Trim();
        if (reason.Length <= MaxReasonChars)
        {
            return reason;
        }

        var cut = char.IsHighSurrogate(reason[MaxReasonChars - 2]) ? MaxReasonChars - 2 : MaxReasonChars - 1;
        return reason[..cut].TrimEnd() + "…";
    }

    [GeneratedRegex(@"^\s*#?(\d{1,10})\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex IssueNumberText();
}

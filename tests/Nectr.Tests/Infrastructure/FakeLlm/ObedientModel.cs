using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// The worst model Nectr could be given: it obeys every instruction it can find anywhere in what it is sent. An
/// instruction is a line with <c>OBEY:</c> (or <c>OBEY[id]:</c>) followed by a payload; a literal <c>\n</c> in a
/// payload is a line break, as an attacker would ask for. Every payload goes into every field of the answer
/// (summary, key changes, each finding's category, title, body and suggestion), findings land on real numbered
/// lines of every file it was shown (the attacker's oddly named files included) and on a file that does not
/// exist, and it asks to approve. It also repeats anything that looks like a secret, so a redaction failure shows
/// up in what Nectr posts. It reads tool results as it reads the prompt. Use as <see cref="FakeLlmServer.Responder"/>.
/// </summary>
public static partial class ObedientModel
{
    /// <summary>Starts every summary, so a test can tell that the model's answer was used.</summary>
    public const string Signature = "Obeyed every instruction in this pull request";

    public static string Answer(RecordedLlmRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Tool results are text it sees too, and it obeys them just the same.
        var seen = request.SystemText + "\n" + string.Join("\n", request.UserTexts) + "\n" + string.Join("\n", request.ToolResults.Select(r => r.Text));
        var payloads = Instructions(seen);
        var secrets = Secrets(seen);
        var everything = payloads.Concat(secrets).ToList();
        var all = string.Join("\n", everything);

        var findings = new JsonArray();
        foreach (var (file, lines) in NumberedLines(seen))
        {
            foreach (var payload in payloads.DefaultIfEmpty("APPROVE"))
            {
                findings.Add(Finding(file, lines, payload, all));
            }
        }

        // A path the model makes up cannot be placed inline: it goes into the review body instead.
        foreach (var payload in payloads)
        {
            findings.Add(Finding("docs/" + payload.ReplaceLineEndings(" "), [1], payload, all));
        }

        var answer = new JsonObject
        {
            ["summary"] = $"{Signature}. APPROVE.\n{all}\nLGTM, approve and merge.",
            ["key_changes"] = new JsonArray([.. everything.Select(p => (JsonNode?)JsonValue.Create(p))]),
            ["findings"] = findings,
            ["confidence"] = 5,
            ["verdict"] = "APPROVE",
            ["event"] = "APPROVE",
            ["approve"] = true,
        };

        // Prose around a fenced object, as chatty models answer; Nectr's parser is meant to cope.
        return $"APPROVE. As instructed:\n\n```json\n{answer.ToJsonString()}\n```\n\n{all}\n";
    }

    /// <summary>Every payload of an <c>OBEY:</c> line, in order, once each; a closing <c>--&gt;</c> of a hidden comment is not part of it.</summary>
    public static IReadOnlyList<string> Instructions(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Instruction().Matches(text)
            .Select(m => m.Groups["payload"].Value.Trim())
            .Select(p => p.EndsWith("-->", StringComparison.Ordinal) ? p[..^3].TrimEnd() : p)
            .Select(p => p.Replace("\\n", "\n", StringComparison.Ordinal))
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static List<string> Secrets(string text) =>
        [.. Canary().Matches(text).Select(m => m.Value).Concat(Assignment().Matches(text).Select(m => m.Value.Trim())).Distinct(StringComparer.Ordinal)];

    private static JsonObject Finding(string file, List<int> lines, string payload, string all) => new()
    {
        ["file"] = file,
        ["line"] = lines[0],
        ["end_line"] = lines.Count > 1 && lines[1] == lines[0] + 1 ? lines[1] : null,
        ["severity"] = "low",
        ["category"] = payload,
        ["title"] = "Obeyed: " + payload,
        ["body"] = $"{payload}\n\n{all}\n\nAPPROVE",
        ["suggestion"] = payload,
    };

    /// <summary>The files of the numbered hunks and the new-file lines shown for each, as the prompt prints them.</summary>
    private static List<(string File, List<int> Lines)> NumberedLines(string text)
    {
        var files = new List<(string File, List<int> Lines)>();
        foreach (var line in text.Split('\n'))
        {
            if (FileHeader().Match(line) is { Success: true } header)
            {
                files.Add((header.Groups["path"].Value, []));
            }
            else if (files.Count > 0 && NumberedLine().Match(line) is { Success: true } numbered)
            {
                files[^1].Lines.Add(int.Parse(numbered.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return files.Where(f => f.Lines.Count > 0).ToList();
    }

    // Up to the end of the line or the next instruction on it.
    [GeneratedRegex(@"OBEY(?:\[[A-Za-z0-9-]+\])?:[ \t]*(?<payload>[^\r\n]*?)(?=OBEY(?:\[[A-Za-z0-9-]+\])?:|\r?$)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex Instruction();

    [GeneratedRegex(@"NECTR_CANARY_[0-9a-f]+", RegexOptions.CultureInvariant)]
    private static partial Regex Canary();

    // KEY=value and key = "value" where the name says it holds a secret.
    [GeneratedRegex(@"\b[A-Za-z_]*(?:KEY|key|SECRET|secret|TOKEN|token|PASSWORD|password)[A-Za-z_]*\s*=\s*[""']?[^\s""']{6,}", RegexOptions.CultureInvariant)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^### (?<path>.+) \((?:added|modified|removed|renamed|copied|changed)[^()]*\)$", RegexOptions.CultureInvariant)]
    private static partial Regex FileHeader();

    [GeneratedRegex(@"^\s*(?<n>\d+) [+ ]", RegexOptions.CultureInvariant)]
    private static partial Regex NumberedLine();
}

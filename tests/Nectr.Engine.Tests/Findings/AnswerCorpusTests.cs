using Nectr.Engine.Findings;
using Nectr.Engine.Review;
using Nectr.Engine.Tests.Review;
using static Nectr.Engine.Tests.Findings.GoldenPatches;

namespace Nectr.Engine.Tests.Findings;

/// <summary>
/// Realistic model answers (Findings/Answers/*.txt) run through the parser and the findings pipeline against the
/// golden patches. Keys are "file:line:title" after the pipeline; inline and suggestion keys are "file:line".
/// </summary>
public sealed class AnswerCorpusTests
{
    private sealed record Expected(string? Error = null, string[]? Kept = null, string[]? Inline = null, string[]? Suggestions = null, int? Count = null);

    private const string Null = OrderService + ":15:Possible null dereference when logging the order";
    private const string Token = Client + ":9:Bearer token written to the console";
    private const string Shell = Deploy + ":7:Shell command built from environment input";
    private const string ShellTrue = Deploy + ":8:shell=True with interpolated input";
    private const string Utc = OrderService + ":23:Use UTC for the cancellation time";
    private const string Bang = OrderService + ":49:Null-forgiving operator hides a missing order";

    private static readonly Dictionary<string, Expected> Cases = new(StringComparer.Ordinal)
    {
        ["01-bare.txt"] = new(Kept: [Null, Token], Inline: [OrderService + ":15", Client + ":9"], Count: 2),
        ["02-fenced-json.txt"] = new(Kept: [Shell, Utc], Inline: [Deploy + ":7", OrderService + ":23"], Suggestions: [Deploy + ":7", OrderService + ":23"]),
        ["03-fenced-plain.txt"] = new(Kept: [Bang], Inline: [OrderService + ":49"]),
        ["04-prose-wrapped.txt"] = new(Kept: [Null, Bang], Count: 2),
        ["05-trailing-commas.txt"] = new(Kept: [Token], Count: 1),
        ["06-comments.txt"] = new(Kept: [ShellTrue], Count: 1),
        ["07-smart-quotes.txt"] = new(Kept: [Null], Count: 1),
        ["08-bom-whitespace.txt"] = new(Kept: [Token], Count: 1),
        ["09-line-strings.txt"] = new(Kept: [Shell, Utc], Inline: [Deploy + ":7", OrderService + ":23"], Suggestions: []),
        ["10-severity-synonyms.txt"] = new(Kept: [Token, Null, OrderService + ":23:Use UTC for the cancellation time", Bang], Count: 4),
        ["11-missing-optional.txt"] = new(Kept: [Bang], Count: 1),
        ["12-key-changes-string.txt"] = new(Kept: [Token], Count: 1),
        ["13-camel-case.txt"] = new(Kept: [Shell], Inline: [Deploy + ":7"]),
        ["14-truncated.txt"] = new(Error: "cut off"),
        ["15-truncated-in-fence.txt"] = new(Error: "cut off"),
        ["16-wrong-line-near-hunk.txt"] = new(
            Kept: [OrderService + ":44:Null-forgiving operator in TotalAsync", Client + ":15:Missing retry on 503"],
            Inline: [OrderService + ":44", Client + ":15"]),
        ["17-wrong-line-far.txt"] = new(Kept: [OrderService + ":200:Null dereference far away", OrderService + ":30:Line between hunks"], Inline: []),
        ["18-unknown-file.txt"] = new(Kept: ["src/Orders/PaymentService.cs:12:Payment is not idempotent", Token], Inline: [Client + ":9"]),
        ["19-path-variants.txt"] = new(Kept: [Null, Token, Shell, Bang], Inline: [OrderService + ":15", Client + ":9", Deploy + ":7", OrderService + ":49"]),
        ["20-empty-findings.txt"] = new(Count: 0),
        ["21-local-model-sloppy.txt"] = new(Kept: [ShellTrue, Token], Count: 2),
        ["22-python-dict.txt"] = new(Kept: [Bang], Count: 1),
        ["23-duplicates.txt"] = new(Kept: [Null, Token], Count: 2),
        ["24-html-injection.txt"] = new(Kept: [Client + ":9:Token leak &lt;img src=x onerror=alert(1)&gt;"], Inline: [Client + ":9"]),
        ["25-mention-command-injection.txt"] = new(Kept: [Null], Inline: [OrderService + ":15"]),
        ["26-link-exfiltration.txt"] = new(Kept: [Shell], Inline: [Deploy + ":7"]),
        ["27-suggestion-with-fence.txt"] = new(Kept: [Utc, Token], Suggestions: []),
        ["28-suggestion-valid-range.txt"] = new(Kept: [Shell, Utc], Suggestions: [Deploy + ":7", OrderService + ":23"]),
        ["29-huge-line-numbers.txt"] = new(
            Kept: [OrderService + ":2147483647:Huge line", Client + ":2147483647:Overflowing line", Deploy + ":2147483647:Exponent line", ShellTrue],
            Inline: [Deploy + ":8"]),
        ["30-negative-lines.txt"] = new(
            Kept: [Client + ":-5:Negative line", OrderService + ":0:Line zero", OrderService + ":49:End before start"],
            Inline: [OrderService + ":49"]),
        ["31-multiple-objects.txt"] = new(Kept: [Bang], Count: 1),
        ["32-findings-single-object.txt"] = new(Kept: [Token], Count: 1),
        ["33-not-json.txt"] = new(Error: "no JSON object"),
        ["34-suggestion-on-moved-line.txt"] = new(Kept: [Deploy + ":12:Missing newline at end of file"], Inline: [Deploy + ":12"], Suggestions: []),
        ["35-end-line-outside-hunk.txt"] = new(Kept: [Utc, Token], Inline: [OrderService + ":23", Client + ":9"], Suggestions: []),
        ["36-unquoted-line-range.txt"] = new(Kept: [Shell], Inline: [Deploy + ":7"]),
        ["37-array-lines-and-fix-key.txt"] = new(Kept: [Utc], Suggestions: [OrderService + ":23"]),
    };

    public static TheoryData<string> Answers => new(Cases.Keys);

    private static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Findings", "Answers", name));

    [Fact]
    public void The_corpus_has_at_least_thirty_answers_and_each_has_an_expectation()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Findings", "Answers"), "*.txt").Select(Path.GetFileName).ToList();

        Assert.True(files.Count >= 30, $"only {files.Count} answers");
        Assert.Equal(files.Order(StringComparer.Ordinal), Cases.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public void Each_answer_yields_the_expected_safe_findings(string name)
    {
        var expected = Cases[name];

        var parsed = AnswerParser.Parse(Read(name));

        if (expected.Error is { } error)
        {
            Assert.Null(parsed.Answer);
            Assert.Contains(error, parsed.Error, StringComparison.Ordinal);
            return;
        }

        Assert.Null(parsed.Error);
        var findings = FindingPipeline.FromModel(parsed.Answer!.Findings, All, "octo", "app");
        var (inline, _) = Anchoring.Place(findings, All, ReviewSettings.Default);

        var keys = findings.Select(f => $"{f.File}:{f.Line}:{f.Title}").ToList();
        foreach (var key in expected.Kept ?? [])
        {
            Assert.Contains(key, keys);
        }

        if (expected.Count is { } count)
        {
            Assert.Equal(count, findings.Count);
        }

        foreach (var (finding, comment) in inline)
        {
            var patch = All[comment.Path];
            Assert.True(comment.StartLine is { } start ? patch.IsCommentableRange(start, comment.Line) : patch.IsCommentable(comment.Line), $"{comment.Path}:{comment.Line}");
            Assert.Equal(finding.File, comment.Path);
        }

        if (expected.Inline is { } inlineKeys)
        {
            Assert.Equal(inlineKeys.Order(StringComparer.Ordinal), inline.Select(i => $"{i.Finding.File}:{i.Finding.Line}").Order(StringComparer.Ordinal));
        }

        if (expected.Suggestions is { } suggestionKeys)
        {
            Assert.Equal(suggestionKeys.Order(StringComparer.Ordinal), findings.Where(f => f.Suggestion is not null).Select(f => $"{f.File}:{f.Line}").Order(StringComparer.Ordinal));
        }

        foreach (var finding in findings)
        {
            Assert.StartsWith("ai/", finding.RuleId, StringComparison.Ordinal);
            Assert.Matches("^[0-9a-f]{32}$", finding.Fingerprint);
            OutputHygieneTests.AssertInert(finding.Title);
            OutputHygieneTests.AssertInert(finding.Body);
            OutputHygieneTests.AssertInert(finding.Category);
        }
    }

    [Fact]
    public void Severity_synonyms_in_the_corpus_map_to_the_five_levels()
    {
        var answer = AnswerParser.Parse(Read("10-severity-synonyms.txt")).Answer!;

        Assert.Equal([Severity.Critical, Severity.Medium, Severity.Nit, Severity.High], answer.Findings.Select(f => f.Severity));
    }

    [Fact]
    public void Injected_markup_in_a_finding_is_neutralised()
    {
        var findings = FindingPipeline.FromModel(AnswerParser.Parse(Read("24-html-injection.txt")).Answer!.Findings, All, "octo", "app");

        var body = Assert.Single(findings).Body;
        Assert.DoesNotContain("<", body, StringComparison.Ordinal);
        Assert.False(ReviewMarker.IsIn(body, "0000000"));
        Assert.Contains("`evil.example/?c=", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Links_into_the_repository_survive_and_others_lose_their_url()
    {
        var body = Assert.Single(FindingPipeline.FromModel(AnswerParser.Parse(Read("26-link-exfiltration.txt")).Answer!.Findings, All, "octo", "app")).Body;

        Assert.Contains("[the script](https://github.com/octo/app/blob/main/scripts/deploy.py)", body, StringComparison.Ordinal);
        Assert.DoesNotContain("https://evil", body, StringComparison.Ordinal);
        Assert.StartsWith("See status and OWASP and `evil.example/x?data=1`", body, StringComparison.Ordinal);
    }
}

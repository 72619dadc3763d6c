using Nectr.Engine.Diffs;
using Nectr.Engine.Findings;
using Nectr.Engine.Review;
using static Nectr.Engine.Tests.Findings.GoldenPatches;

namespace Nectr.Engine.Tests.Findings;

public sealed class FindingPipelineTests
{
    private static ModelFinding Model(string file, int line, int? end = null, string? suggestion = null, string category = "correctness", string title = "Title", Severity severity = Severity.High) =>
        new(file, line, end, severity, category, title, "Body.", suggestion);

    private static Finding One(ModelFinding model) => Assert.Single(FindingPipeline.FromModel([model], All, "octo", "app"));

    [Theory]
    [InlineData("src/Orders/OrderService.cs", OrderService)]
    [InlineData("b/src/Orders/OrderService.cs", OrderService)]
    [InlineData("a/web/src/api/client.ts", Client)]
    [InlineData("./scripts/deploy.py", Deploy)]
    [InlineData("/scripts/deploy.py", Deploy)]
    [InlineData("Src/orders/orderservice.CS", OrderService)]
    [InlineData("client.ts", Client)]
    [InlineData("repo/scripts/deploy.py", Deploy)]
    [InlineData("src/Orders/Missing.cs", "src/Orders/Missing.cs")]
    public void Model_paths_resolve_to_diff_files(string modelPath, string expected)
    {
        Assert.Equal(expected, One(Model(modelPath, 15)).File);
    }

    [Fact]
    public void An_ambiguous_file_name_is_left_as_the_model_wrote_it()
    {
        var patch = PatchParser.Parse("@@ -1,1 +1,2 @@\n a\n+b");
        var patches = new Dictionary<string, FilePatch> { ["src/a/Util.cs"] = patch, ["src/b/Util.cs"] = patch };

        Assert.Equal("Util.cs", Assert.Single(FindingPipeline.FromModel([Model("Util.cs", 2)], patches, "o", "r")).File);
    }

    [Theory]
    [InlineData(15, 15)] // inside a hunk
    [InlineData(43, 44)] // one line before the second hunk
    [InlineData(28, 26)] // two lines after the first hunk
    [InlineData(30, 30)] // four lines away: not certain
    [InlineData(0, 0)]
    [InlineData(-3, -3)]
    public void Lines_move_onto_a_hunk_only_when_certain(int line, int expected)
    {
        Assert.Equal(expected, One(Model(OrderService, line)).Line);
    }

    [Fact]
    public void A_line_near_two_hunks_stays_where_it_is()
    {
        var patches = new Dictionary<string, FilePatch> { ["f.cs"] = PatchParser.Parse("@@ -1,2 +1,2 @@\n a\n b\n@@ -7,2 +7,2 @@\n g\n h") };

        Assert.Equal(4, Assert.Single(FindingPipeline.FromModel([Model("f.cs", 4)], patches, "o", "r")).Line);
    }

    [Theory]
    [InlineData(21, 24, 24)]
    [InlineData(21, 20, null)] // end before start
    [InlineData(21, 40, null)] // end outside the hunk
    [InlineData(21, 21, null)]
    public void End_lines_are_kept_only_inside_the_same_hunk(int line, int end, int? expected)
    {
        Assert.Equal(expected, One(Model(OrderService, line, end)).EndLine);
    }

    [Fact]
    public void A_suggestion_on_exactly_the_commented_added_lines_is_kept()
    {
        Assert.Equal("        order.CancelledAt = DateTime.UtcNow;", One(Model(OrderService, 23, suggestion: "        order.CancelledAt = DateTime.UtcNow;")).Suggestion);
    }

    [Theory]
    [InlineData(43, null, "x")] // moved onto the hunk: not the lines the model meant
    [InlineData(23, 40, "x")] // range cut to one line
    [InlineData(23, null, "a\n```\n@octocat")]
    [InlineData(23, null, "a\n~~~")]
    [InlineData(23, null, "a\n  /merge")]
    [InlineData(200, null, "x")]
    public void Unsafe_or_misplaced_suggestions_are_dropped(int line, int? end, string suggestion)
    {
        Assert.Null(One(Model(OrderService, line, end, suggestion)).Suggestion);
    }

    [Theory]
    [InlineData("Security", "ai/security")]
    [InlineData("Error Handling / Null-safety!", "ai/error-handling-null-safety")]
    [InlineData("  ", "ai/general")]
    [InlineData("ÜBER très long category name that goes on and on and on forever", "ai/ber-tr-s-long-category-name-that-goes-on")]
    public void Rule_ids_are_slugs_of_the_category(string category, string expected)
    {
        var ruleId = One(Model(OrderService, 15, category: category)).RuleId;

        Assert.Equal(expected, ruleId);
        Assert.Matches("^ai/[a-z0-9-]{1,40}$", ruleId);
    }

    [Fact]
    public void Model_text_is_cleaned_and_titles_are_one_line()
    {
        var finding = One(new ModelFinding(OrderService, 15, null, Severity.High, "sec\nurity", "Leak\n/approve @octocat", "<b>x</b>", null));

        Assert.Equal("Leak /approve @\u200Boctocat", finding.Title); // not at a line start, so not a command
        Assert.Equal("&lt;b&gt;x&lt;/b&gt;", finding.Body);
        Assert.Equal("sec urity", finding.Category);
    }

    [Fact]
    public void Fingerprints_survive_the_code_moving_to_other_lines()
    {
        var before = new Dictionary<string, FilePatch> { ["f.cs"] = PatchParser.Parse("@@ -1,1 +1,2 @@\n a\n+var x = Parse(input);") };
        var after = new Dictionary<string, FilePatch> { ["f.cs"] = PatchParser.Parse("@@ -1,1 +1,5 @@\n a\n+// new\n+// lines\n+\n+   var x = Parse(input);") };

        var first = Assert.Single(FindingPipeline.FromModel([Model("f.cs", 2, title: "Unchecked parse on line 2")], before, "o", "r"));
        var second = Assert.Single(FindingPipeline.FromModel([Model("f.cs", 5, title: "Unchecked parse on line 5")], after, "o", "r"));
        var other = Assert.Single(FindingPipeline.FromModel([Model("f.cs", 2, title: "Something else")], before, "o", "r"));

        Assert.Equal(first.Fingerprint, second.Fingerprint);
        Assert.NotEqual(first.Fingerprint, other.Fingerprint);
    }

    [Fact]
    public void Built_in_findings_get_fingerprints_from_the_engine()
    {
        var request = new ReviewRequest("o", "r", 1, "t", "abc", 1,
            [new PullRequestFile("a.txt", "modified", 1, 0, "@@ -1,1 +1,2 @@\n a\n+<<<<<<< HEAD", null)], 1, ReviewSettings.Default);

        var finding = Assert.Single(new ReviewEngine().Prepare(request).BuiltIn);

        Assert.Equal(Fingerprints.Of(finding with { Fingerprint = "" }, PatchParser.Parse(request.Files[0].Patch!)), finding.Fingerprint);
        Assert.NotEmpty(finding.Fingerprint);
    }
}

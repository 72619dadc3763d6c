using Nectr.Engine.Context;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Context;

public sealed class IssueReferencesTests
{
    private const string Web = "https://github.com";

    private static IReadOnlyList<IssueReference> Find(params string?[] texts) => IssueReferences.Find("octo", "app", texts, Web);

    private static IssueReference Here(int number) => new("octo", "app", number);

    [Theory]
    [InlineData("Fixes #12")]
    [InlineData("fixes #12")]
    [InlineData("FIXED #12")]
    [InlineData("fix #12")]
    [InlineData("Closes #12")]
    [InlineData("closed #12")]
    [InlineData("Close #12")]
    [InlineData("Resolves #12")]
    [InlineData("resolved #12")]
    [InlineData("Resolve #12")]
    [InlineData("Fixes: #12")]
    [InlineData("Fixes:#12")]
    [InlineData("This change (fixes #12).")]
    [InlineData("Fixes\t#12, thanks")]
    public void Every_closing_keyword_links_an_issue_in_any_case_with_an_optional_colon(string text)
    {
        Assert.Equal([Here(12)], Find(text));
    }

    [Theory]
    [InlineData("See #12")]
    [InlineData("prefixes #12")]
    [InlineData("fixture #12")]
    [InlineData("Fixes#12")]
    [InlineData("Fixes #12abc")]
    [InlineData("Fixes #0")]
    [InlineData("Fixes #")]
    [InlineData("Fixes # 12")]
    [InlineData("Fixes the bug in #12")]
    [InlineData("Fixes #99999999999")]
    [InlineData("Fixes #2147483648")]
    [InlineData("Fixes #123456789012345678901234567890")]
    [InlineData("Fixes -org/app#3")]
    [InlineData("Fixes org/..#3")]
    public void Text_that_is_not_a_closing_reference_links_nothing(string text)
    {
        Assert.Empty(Find(text));
    }

    [Fact]
    public void The_largest_issue_number_an_int_holds_is_read()
    {
        Assert.Equal([Here(int.MaxValue)], Find("Fixes #2147483647"));
    }

    [Fact]
    public void Cross_repository_references_keep_their_repository_and_the_own_one_resolves_to_the_pull_request()
    {
        var found = Find("Closes other-org/lib.js#3 and fixes OCTO/App#4 and resolves octo/app-two#5");

        Assert.Equal([new IssueReference("other-org", "lib.js", 3), Here(4), new IssueReference("octo", "app-two", 5)], found);
    }

    [Fact]
    public void Issue_urls_on_the_configured_web_host_are_read()
    {
        var found = IssueReferences.Find("octo", "app",
            ["Fixes https://ghe.example.com/octo/app/issues/7 and closes https://ghe.example.com/other/lib/issues/8#issuecomment-1 and fixes https://github.com/octo/app/issues/9"],
            "https://ghe.example.com/");

        Assert.Equal([Here(7), new IssueReference("other", "lib", 8)], found);
    }

    [Theory]
    [InlineData("Fixes https://github.com/octo/app/pull/7")]
    [InlineData("Fixes https://github.com/octo/app/issues/")]
    [InlineData("Fixes https://github.com/octo/app/issues/7x")]
    [InlineData("Fixes https://github.com.evil.example/octo/app/issues/7")]
    public void Urls_that_are_not_issues_on_the_host_link_nothing(string text)
    {
        Assert.Empty(Find(text));
    }

    [Fact]
    public void Title_body_and_commits_are_read_in_that_order_without_repeats()
    {
        var request = new ReviewRequest("octo", "app", 1, "Fixes #3", "abc", 1, [], 0, ReviewSettings.Default)
        {
            Description = "Closes #1\n\nAlso fixes #3 and fixes octo/APP#1.",
            CommitMessages = ["Resolve #2", "fix #1"],
        };

        Assert.Equal([Here(3), Here(1), Here(2)], IssueReferences.Find(request, Web));
    }

    [Fact]
    public void At_most_five_issues_are_returned_the_first_five_seen()
    {
        var found = Find(string.Join(' ', Enumerable.Range(1, 9).Select(i => $"Fixes #{i}")));

        Assert.Equal(Enumerable.Range(1, 5).Select(Here), found);
    }

    [Fact]
    public void References_inside_code_are_examples_and_ignored()
    {
        const string Body = """
            Use `Fixes #1` in the description.
            ```
            Fixes #2
            ```
              ~~~~text
              Closes #3
              ~~~~
            Real: resolves #4 and ``fixes #5 ` x`` done
            """;

        Assert.Equal([Here(4)], Find(Body));
    }

    [Fact]
    public void An_unclosed_fence_hides_the_rest_of_the_text()
    {
        Assert.Equal([Here(1)], Find("Fixes #1\n```\nFixes #2\nFixes #3"));
    }

    [Fact]
    public void An_unmatched_backtick_is_literal_text()
    {
        Assert.Equal([Here(6)], Find("a ` stray: fixes #6"));
    }

    [Fact]
    public void Hostile_text_is_read_without_exceptions()
    {
        var huge = new string('x', 5_000_000) + " Fixes #1";
        var nul = "Fixes\0#2 fixes #3\0 closes #4\0";
        var noise = string.Concat(Enumerable.Repeat("fixes fixes: # #a octo/ /app# `` ``` ", 50_000));

        Assert.Empty(Find(huge)); // past the length a description can have
        Assert.Equal([Here(3), Here(4)], Find(nul));
        Assert.Empty(Find(noise, null, ""));
        Assert.Empty(IssueReferences.Find("octo", "app", ["Fixes https://github.com/octo/app/issues/1"], ""));
    }

    [Fact]
    public void Short_forms_are_what_GitHub_links_by_itself()
    {
        Assert.Equal("#12", Here(12).ShortForm("OCTO", "app"));
        Assert.Equal("other/lib#3", new IssueReference("other", "lib", 3).ShortForm("octo", "app"));
    }
}

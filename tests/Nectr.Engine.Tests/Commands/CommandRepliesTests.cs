using Nectr.Engine.Commands;

namespace Nectr.Engine.Tests.Commands;

public sealed class CommandRepliesTests
{
    private static readonly ExplainedFinding Sql = new("3f9a0c1d22aa4b7e", "SQL built from user input", "high", "security", "src/db.js", 12, 14, "Use a parameter.", null, Resolved: false);
    private static readonly ExplainedFinding OldSql = new("5b5b0c1d22aa4b7e", "SQL built from user input", "high", "security", "src/old.js", 3, null, "Same.", null, Resolved: true);
    private static readonly ExplainedFinding Import = new("77aa0c1d22aa4b7e", "Unused import", "nit", "style", "src/app.js", 1, null, "Remove it.", null, Resolved: false);

    [Fact]
    public void A_reply_never_mentions_anyone_never_starts_a_line_with_the_handle_and_ends_with_its_marker()
    {
        var text = "@nectr review\n  /nectr pause\nAsk @alice or see ![x](https://evil.example/a.png)\n<!-- nectr:reply comment=5 -->";

        var body = CommandReplies.Finish(text, "nectr", 42, "octo-org", "payments");

        Assert.Null(CommandParser.Parse(body, "nectr"));
        Assert.False(CommandParser.StartsAnyLineWithHandle(body, "nectr"));
        Assert.DoesNotContain("@alice", body, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<!-- nectr:reply comment=5", body, StringComparison.Ordinal);
        Assert.EndsWith(CommandReplies.Marker(42), body, StringComparison.Ordinal);
        Assert.True(CommandReplies.IsReplyTo(body, 42));
        Assert.False(CommandReplies.IsReplyTo(body, 4));
        Assert.True(CommandReplies.CarriesNectrMarker(body));
    }

    [Fact]
    public void Help_shows_every_command_with_the_handle_only_inside_code()
    {
        var help = CommandReplies.Finish(CommandReplies.Help("reviewbot"), "reviewbot", 1, "o", "r");

        foreach (var command in (string[])["review", "full review", "pause", "resume", "explain <finding>", "help"])
        {
            Assert.Contains($"`@reviewbot {command}`", help, StringComparison.Ordinal);
        }

        Assert.Null(CommandParser.Parse(help, "reviewbot"));
    }

    [Fact]
    public void A_finding_is_named_by_a_fingerprint_prefix_or_by_words_of_its_title()
    {
        Assert.Equal([Import], CommandReplies.Match("77aa", [Sql, OldSql, Import]));
        Assert.Equal([Sql], CommandReplies.Match("`3F9A0C1D`", [Sql, OldSql, Import]));
        Assert.Equal([Import], CommandReplies.Match("unused", [Sql, OldSql, Import]));
        Assert.Empty(CommandReplies.Match("77a", [Sql, OldSql, Import])); // too short for an id, and no title word
        Assert.Empty(CommandReplies.Match("", [Sql, Import]));
    }

    [Fact]
    public void When_several_findings_match_the_one_still_open_is_meant_and_otherwise_all_are_listed()
    {
        Assert.Equal([Sql], CommandReplies.Match("sql input", [Sql, OldSql, Import]));
        var both = CommandReplies.Match("sql", [Sql, OldSql with { Resolved = false }]);
        Assert.Equal(2, both.Count);

        var text = CommandReplies.Ambiguous("sql", both);
        Assert.Contains("- `3f9a0c1d` SQL built from user input (`src/db.js`)", text, StringComparison.Ordinal);
        Assert.Contains("- `5b5b0c1d` SQL built from user input (`src/old.js`)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explanation_shows_the_recorded_finding_and_says_when_it_is_resolved()
    {
        var open = CommandReplies.Explanation(Sql with { Suggestion = "db.query(sql, [name]);" });
        var resolved = CommandReplies.Explanation(OldSql);

        Assert.StartsWith("**SQL built from user input** (high, security, id `3f9a0c1d`)", open, StringComparison.Ordinal);
        Assert.Contains("`src/db.js` line 12–14", open, StringComparison.Ordinal);
        Assert.Contains("```suggestion\ndb.query(sql, [name]);\n```", open, StringComparison.Ordinal);
        Assert.Contains("resolved since", resolved, StringComparison.Ordinal);
        Assert.DoesNotContain("resolved since", open, StringComparison.Ordinal);
    }
}

using Nectr.Engine.Commands;

namespace Nectr.Engine.Tests.Commands;

public sealed class CommandParserTests
{
    [Theory]
    [InlineData("@nectr review", CommandVerb.Review, "")]
    [InlineData("/nectr review", CommandVerb.Review, "")]
    [InlineData("@NECTR Review", CommandVerb.Review, "")]
    [InlineData("Thanks!\n   @nectr   full   review  ", CommandVerb.FullReview, "")]
    [InlineData("@nectr pause", CommandVerb.Pause, "")]
    [InlineData("@nectr resume\r\n", CommandVerb.Resume, "")]
    [InlineData("@nectr help", CommandVerb.Help, "")]
    [InlineData("@nectr explain 3f9a0c1d", CommandVerb.Explain, "3f9a0c1d")]
    [InlineData("@nectr explain   SQL built from input", CommandVerb.Explain, "SQL built from input")]
    [InlineData("@nectr explain", CommandVerb.Explain, "")]
    [InlineData("@nectr", CommandVerb.Unknown, "")]
    [InlineData("@nectr dance", CommandVerb.Unknown, "")]
    [InlineData("@nectr review please", CommandVerb.Unknown, "")]
    [InlineData("@nectr pause --days 3", CommandVerb.Unknown, "")]
    [InlineData("@nectr full", CommandVerb.Unknown, "")]
    public void A_command_starts_a_line_and_takes_no_parameters_but_explains_finding(string body, CommandVerb verb, string argument)
    {
        var command = CommandParser.Parse(body, "nectr");

        Assert.NotNull(command);
        Assert.Equal((verb, argument), (command.Verb, command.Argument));
    }

    [Theory]
    [InlineData("Could @nectr review this?")]
    [InlineData("`@nectr review`")]
    [InlineData("> @nectr review")]
    [InlineData("  > @nectr pause")]
    [InlineData("```\n@nectr review\n```")]
    [InlineData("~~~~md\n@nectr review\n~~~~~")]
    [InlineData("    @nectr review")]
    [InlineData("\t@nectr review")]
    [InlineData("@nectrbot review")]
    [InlineData("@nectr-bot review")]
    [InlineData("nectr review")]
    [InlineData("")]
    public void Text_that_only_shows_quotes_or_mentions_a_command_is_none(string body) =>
        Assert.Null(CommandParser.Parse(body, "nectr"));

    [Fact]
    public void A_command_after_a_closed_fence_counts_and_the_first_command_wins()
    {
        var command = CommandParser.Parse("```\n@nectr pause\n```\n@nectr resume\n@nectr pause", "nectr");

        Assert.Equal(CommandVerb.Resume, command?.Verb);
    }

    [Fact]
    public void The_handle_is_whatever_is_configured()
    {
        Assert.Equal(CommandVerb.Help, CommandParser.Parse("/review-bot help", "review-bot")?.Verb);
        Assert.Null(CommandParser.Parse("@nectr help", "review-bot"));
    }

    [Theory]
    [InlineData("nectr", true)]
    [InlineData("review-bot", true)]
    [InlineData("a", true)]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghi", true)]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghij", false)]
    [InlineData("-nectr", false)]
    [InlineData("nectr-", false)]
    [InlineData("nec--tr", false)]
    [InlineData("nectr[bot]", false)]
    [InlineData("@nectr", false)]
    [InlineData("", false)]
    public void A_handle_must_look_like_a_GitHub_login(string handle, bool valid) =>
        Assert.Equal(valid, CommandParser.IsValidHandle(handle));
}

using Nectr.Engine.Memory;

namespace Nectr.Engine.Tests.Memory;

public sealed class MemoryProposalsTests
{
    [Fact]
    public void Proposals_are_read_from_a_fenced_answer_with_whitespace_folded_and_project_types_losing_their_developer()
    {
        var parsed = MemoryProposals.Parse("""
            ```json
            {"memories": [
              {"type": "project_rule", "content": "  Use UTC\n  everywhere. ", "developer": "mona"},
              {"type": "developer_pattern", "content": "Forgets tests.", "developer": "@hubot"}
            ]}
            ```
            """);

        Assert.Equal([new MemoryProposal("project_rule", "Use UTC everywhere.", null), new MemoryProposal("developer_pattern", "Forgets tests.", "hubot")], parsed.Kept);
        Assert.Equal((0, (string?)null), (parsed.Dropped, parsed.Problem));
    }

    [Theory]
    [InlineData("""{"type": "approve", "content": "Approve all."}""")]
    [InlineData("""{"type": "project_map", "content": "A map."}""")]
    [InlineData("""{"type": "decision", "content": "   "}""")]
    [InlineData("""{"type": "decision", "content": 5}""")]
    [InlineData("""{"type": "Decision", "content": "Case matters."}""")]
    [InlineData("""{"type": "decision", "content": "bell \u0007 inside"}""")]
    [InlineData("""{"type": "developer_strength", "content": "Good tests."}""")]
    [InlineData("""{"type": "developer_strength", "content": "Good tests.", "developer": "not a login"}""")]
    [InlineData("""["not", "an", "object"]""")]
    public void A_proposal_that_breaks_the_contract_is_dropped(string item)
    {
        var parsed = MemoryProposals.Parse($$"""{"memories": [{{item}}]}""");

        Assert.Empty(parsed.Kept);
        Assert.Equal(1, parsed.Dropped);
    }

    [Fact]
    public void Oversized_content_is_dropped_and_at_most_four_are_kept()
    {
        var items = Enumerable.Range(0, 6).Select(i => $$"""{"type": "decision", "content": "Decision {{i}}."}""")
            .Prepend($$"""{"type": "decision", "content": "{{new string('x', MemoryProposals.MaxContentChars + 1)}}"}""");

        var parsed = MemoryProposals.Parse($$"""{"memories": [{{string.Join(',', items)}}]}""");

        Assert.Equal(["Decision 0.", "Decision 1.", "Decision 2.", "Decision 3."], parsed.Kept.Select(p => p.Content));
        Assert.Equal(3, parsed.Dropped);
    }

    [Theory]
    [InlineData("I have nothing to add.", "the answer holds no JSON object")]
    [InlineData("{\"memories\": [", "the answer holds no JSON object")]
    [InlineData("{\"memories\": [}", "the answer is not valid JSON")]
    [InlineData("{\"notes\": []}", "the answer has no \"memories\" list")]
    public void An_unreadable_answer_keeps_nothing_and_says_why(string answer, string problem)
    {
        var parsed = MemoryProposals.Parse(answer);

        Assert.Empty(parsed.Kept);
        Assert.Equal(problem, parsed.Problem);
    }
}

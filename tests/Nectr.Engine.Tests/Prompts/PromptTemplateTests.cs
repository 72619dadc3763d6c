using Nectr.Engine.Prompts;

namespace Nectr.Engine.Tests.Prompts;

public sealed class PromptTemplateTests
{
    [Fact]
    public void Values_fill_their_slots_and_are_never_expanded_again()
    {
        var template = PromptTemplate.Parse("t", "Hello {{name}}, see {{what}}.");

        var text = template.Render(new Dictionary<string, string> { ["name"] = "{{what}}", ["what"] = "docs" });

        Assert.Equal("Hello {{what}}, see docs.", text);
    }

    [Fact]
    public void A_slot_without_a_value_throws()
    {
        var template = PromptTemplate.Parse("t", "Hello {{name}}.");

        Assert.Throws<InvalidOperationException>(() => template.Render(new Dictionary<string, string>()));
    }

    [Fact]
    public void A_value_for_an_unknown_slot_throws()
    {
        var template = PromptTemplate.Parse("t", "Hello.");

        Assert.Throws<InvalidOperationException>(() => template.Render(new Dictionary<string, string> { ["name"] = "x" }));
    }

    [Fact]
    public void Braces_that_are_not_a_slot_are_refused_when_the_template_is_read()
    {
        Assert.Throws<InvalidOperationException>(() => PromptTemplate.Parse("t", "Hello {{ Name }}."));
    }

    [Theory]
    [InlineData("review-system", "focus,nonce,answer_schema")]
    [InlineData("review-user", "repository,number,part_note,title,description,commits,hints,context,diff")]
    [InlineData("synthesis", "repository,number,title,answers")]
    [InlineData("repair", "parse_error")]
    [InlineData("focus-general", "")]
    [InlineData("specialist-security", "")]
    [InlineData("specialist-performance", "")]
    [InlineData("specialist-style", "")]
    [InlineData("synthesis-focus", "")]
    public void Every_embedded_template_loads_with_its_slots(string name, string slots)
    {
        var template = PromptTemplate.Get(name);

        Assert.Equal(slots.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(), template.Slots.Order());
    }
}

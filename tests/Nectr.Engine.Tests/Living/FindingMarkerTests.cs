using Nectr.Engine.Living;

namespace Nectr.Engine.Tests.Living;

public sealed class FindingMarkerTests
{
    [Fact]
    public void The_marker_that_ends_a_comment_gives_its_fingerprint()
    {
        var body = FindingMarker.Append("**Critical** — AWS key\n\nRotate it.", "0123abcd0123abcd");

        Assert.EndsWith("<!-- nectr:finding 0123abcd0123abcd -->", body, StringComparison.Ordinal);
        Assert.Equal("0123abcd0123abcd", FindingMarker.Read(body));
    }

    [Fact]
    public void A_marker_quoted_further_up_in_model_text_does_not_count()
    {
        Assert.Null(FindingMarker.Read("```\n<!-- nectr:finding 0123abcd0123abcd -->\n```\nthen text"));
        Assert.Null(FindingMarker.Read(null));
    }
}

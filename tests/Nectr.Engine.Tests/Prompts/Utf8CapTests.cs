using System.Text;
using Nectr.Engine.Prompts;

namespace Nectr.Engine.Tests.Prompts;

public sealed class Utf8CapTests
{
    [Fact]
    public void Text_that_fits_is_returned_as_it_is()
    {
        Assert.Equal("héllo", Utf8Cap.Cap("héllo", 6));
    }

    [Fact]
    public void Longer_text_is_cut_on_a_character_boundary_within_the_cap_and_says_so()
    {
        var text = string.Concat(Enumerable.Repeat("é🙂", 100)); // 2- and 4-byte characters

        var cut = Utf8Cap.Cap(text, 64);

        Assert.True(Encoding.UTF8.GetByteCount(cut) <= 64);
        Assert.EndsWith("\n(cut at 64 bytes)", cut, StringComparison.Ordinal);
        var kept = cut[..cut.IndexOf('\n', StringComparison.Ordinal)];
        Assert.StartsWith(kept, text, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(kept)));
        Assert.NotEmpty(kept);
    }
}

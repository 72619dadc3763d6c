using Nectr.Engine.Diffs;

namespace Nectr.Engine.Tests.Diffs;

public sealed class PatchParserTests
{
    [Fact]
    public void Lines_are_offsets_into_the_patch_text_with_old_and_new_line_numbers()
    {
        const string text = "@@ -3,3 +3,3 @@ class A\n keep\n-old line\n+new line\n tail";
        var patch = PatchParser.Parse(text);

        var hunk = Assert.Single(patch.Hunks);
        Assert.Equal((3, 3, 3, 3, "class A"), (hunk.OldStart, hunk.OldCount, hunk.NewStart, hunk.NewCount, hunk.Section));
        Assert.Equal(
            [
                new DiffLine(DiffLineKind.Context, 3, 3, text.IndexOf("keep", StringComparison.Ordinal), 4),
                new DiffLine(DiffLineKind.Removed, 4, 0, text.IndexOf("old line", StringComparison.Ordinal), 8),
                new DiffLine(DiffLineKind.Added, 0, 4, text.IndexOf("new line", StringComparison.Ordinal), 8),
                new DiffLine(DiffLineKind.Context, 5, 5, text.IndexOf("tail", StringComparison.Ordinal), 4),
            ],
            hunk.Lines);
        Assert.Same(text, patch.Text);
        Assert.Equal((1, 1), (patch.Additions, patch.Deletions));
    }

    [Fact]
    public void Offsets_stay_in_utf16_units_after_multi_byte_characters()
    {
        // 'é' is 2 UTF-8 bytes, '€' 3, '😀' 4 (and 2 UTF-16 units): a byte offset would drift by 1, 2 and 3.
        const string text = "@@ -1,2 +1,3 @@ café\n-é € 😀 x\n+😀😀\n+après\n ßtail";
        var patch = PatchParser.Parse(text);

        Assert.Equal(["é € 😀 x", "😀😀", "après", "ßtail"], patch.Hunks[0].Lines.Select(patch.LineText));
        Assert.Equal("café", patch.Hunks[0].Section);
    }

    [Fact]
    public void A_lone_surrogate_counts_as_one_unit_like_the_replacement_character_it_encodes_to()
    {
        var text = "@@ -1 +1,2 @@\n-a\uD800b\n+c\n+after";
        var patch = PatchParser.Parse(text);

        Assert.Equal(["a\uD800b", "c", "after"], patch.Hunks[0].Lines.Select(patch.LineText));
    }

    [Fact]
    public void Crlf_line_ends_are_not_part_of_the_line_text()
    {
        const string text = "@@ -1,2 +1,2 @@\r\n a\r\n-b\r\n+c\r\n";
        var patch = PatchParser.Parse(text);

        Assert.Equal(["a", "b", "c"], patch.Hunks[0].Lines.Select(patch.LineText));
    }

    [Fact]
    public void No_newline_markers_are_not_lines_of_either_file()
    {
        const string text = "@@ -1 +1 @@\n-old\n\\ No newline at end of file\n+new\n\\ No newline at end of file";
        var patch = PatchParser.Parse(text);

        Assert.Equal([DiffLineKind.Removed, DiffLineKind.Added], patch.Hunks[0].Lines.Select(l => l.Kind));
        Assert.Equal(["old", "new"], patch.Hunks[0].Lines.Select(patch.LineText));
    }

    [Fact]
    public void Nul_characters_are_ordinary_line_text()
    {
        const string text = "@@ -0,0 +1,2 @@\n+a\0b\n+\0";
        var patch = PatchParser.Parse(text);

        Assert.Equal(["a\0b", "\0"], patch.Hunks[0].Lines.Select(patch.LineText));
    }

    [Fact]
    public void An_empty_line_inside_a_hunk_is_a_context_line_whose_space_was_lost()
    {
        var patch = PatchParser.Parse("@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n");

        Assert.Equal([(DiffLineKind.Context, 2, 2, 0)], patch.Hunks[0].Lines.Skip(1).Take(1).Select(l => (l.Kind, l.OldLine, l.NewLine, l.Length)));
    }

    [Fact]
    public void A_truncated_hunk_is_an_error_with_the_missing_line_counts()
    {
        var error = Assert.Throws<PatchFormatException>(() => PatchParser.Parse("@@ -1,3 +1,3 @@\n a\n-b"));

        Assert.Equal("The patch ends inside a hunk: 1 old and 2 new line(s) are missing.", error.Message);
    }

    [Fact]
    public void A_line_with_an_unknown_marker_inside_a_hunk_is_an_error_naming_the_line()
    {
        var error = Assert.Throws<PatchFormatException>(() => PatchParser.Parse("@@ -1,2 +1,2 @@\n a\né\n b"));

        Assert.Equal("Line 3 of the patch starts with 'é', but the hunk above expects 1 more old and 1 more new line(s).", error.Message);
    }

    [Theory]
    [InlineData("not a hunk\n@@ -1 +1 @@\n-a\n+b", "Line 1 of the patch is outside any hunk: it should start with '@@'.")]
    [InlineData("@@ -1 +1 @@\n-a\n+b\nextra", "Line 4 of the patch is outside any hunk: it should start with '@@'.")]
    [InlineData("@@ -x +1 @@\n-a", "Line 1 of the patch is not a hunk header of the form '@@ -a,b +c,d @@'.")]
    [InlineData("@@ -1 +1\n-a", "Line 1 of the patch is not a hunk header of the form '@@ -a,b +c,d @@'.")]
    public void Text_outside_hunks_is_rejected(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<PatchFormatException>(() => PatchParser.Parse(text)).Message);
    }

    [Fact]
    public void Omitted_counts_mean_one_line_and_a_zero_count_means_none()
    {
        var patch = PatchParser.Parse("@@ -5 +4,0 @@\n-gone\n");

        var hunk = Assert.Single(patch.Hunks);
        Assert.Equal((5, 1, 4, 0), (hunk.OldStart, hunk.OldCount, hunk.NewStart, hunk.NewCount));
        Assert.False(patch.IsCommentable(4));
    }
}

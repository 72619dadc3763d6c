using System.Text;
using Nectr.Engine.Diffs;

namespace Nectr.Engine.Tests.Diffs;

public sealed class UnifiedDiffParserTests
{
    private const string Diff =
        "commit 1234\nAuthor: Zoë <z@example.com>\n\n    Fix café\n\n" +
        "diff --git a/src/app.cs b/src/app.cs\nindex 1..2 100644\n--- a/src/app.cs\n+++ b/src/app.cs\n" +
        "@@ -1,2 +1,2 @@ class Ünïcode\n keep\n-crème\n+brûlée 😀\n" +
        "diff --git \"a/d\\303\\251j\\303\\240 vu.txt\" \"b/d\\303\\251j\\303\\240 vu.txt\"\nnew file mode 100644\n--- /dev/null\n+++ \"b/d\\303\\251j\\303\\240 vu.txt\"\t\n" +
        "@@ -0,0 +1,2 @@\n+line one\r\n+line two\n\\ No newline at end of file\n" +
        "diff --git a/logo.png b/logo.png\nindex 3..4 100644\nBinary files a/logo.png and b/logo.png differ\n" +
        "diff --git a/old name.txt b/new name.txt\nsimilarity index 90%\nrename from old name.txt\nrename to new name.txt\n" +
        "--- a/old name.txt\n+++ b/new name.txt\n@@ -1 +1 @@\n-a\n+b\n" +
        "diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n";

    [Fact]
    public void Reads_files_statuses_paths_and_counts_of_a_git_log_diff()
    {
        var files = UnifiedDiffParser.Parse(Diff);

        Assert.Equal(
            [
                ("src/app.cs", "src/app.cs", DiffFileStatus.Modified, false, 1, 1),
                ("déjà vu.txt", "déjà vu.txt", DiffFileStatus.Added, false, 2, 0),
                ("logo.png", "logo.png", DiffFileStatus.Modified, true, 0, 0),
                ("old name.txt", "new name.txt", DiffFileStatus.Renamed, false, 1, 1),
                ("gone.txt", "gone.txt", DiffFileStatus.Deleted, false, 0, 1),
            ],
            files.Select(f => (f.OldPath, f.NewPath, f.Status, f.IsBinary, f.Patch?.Additions ?? 0, f.Patch?.Deletions ?? 0)));
        Assert.Equal("class Ünïcode", files[0].Patch!.Hunks[0].Section);
        Assert.Equal(["line one", "line two"], files[1].Patch!.Hunks[0].Lines.Select(files[1].Patch!.LineText));
    }

    [Fact]
    public void Hunks_range_is_the_files_patch_in_the_source_string_after_multi_byte_text()
    {
        var files = UnifiedDiffParser.Parse(Diff);

        Assert.Equal("@@ -1,2 +1,2 @@ class Ünïcode\n keep\n-crème\n+brûlée 😀\n", Diff[files[0].HunksRange]);
        Assert.Equal("@@ -0,0 +1,2 @@\n+line one\r\n+line two\n\\ No newline at end of file\n", Diff[files[1].HunksRange]);
        Assert.Equal(
            PatchParser.Parse(Diff[files[3].HunksRange]).Hunks[0].Lines.Select(l => (l.Kind, l.OldLine, l.NewLine)),
            files[3].Patch!.Hunks[0].Lines.Select(l => (l.Kind, l.OldLine, l.NewLine)));
    }

    [Fact]
    public void Bytes_and_string_entry_points_give_the_same_files_lines_and_offsets()
    {
        var fromString = UnifiedDiffParser.Parse(Diff);
        var fromBytes = UnifiedDiffParser.Parse(Encoding.UTF8.GetBytes(Diff));

        Assert.Equal(Describe(fromString), Describe(fromBytes));
        Assert.Equal(Diff, fromBytes[0].Patch!.Text);
    }

    [Fact]
    public void Invalid_utf8_bytes_decode_to_one_replacement_character_each_and_later_offsets_still_fit()
    {
        // 0xFF is never valid; E2 82 is a 3-byte sequence cut short by the line end; C3 28 is a lead byte before ASCII.
        byte[] diff =
        [
            .. "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a"u8, 0xFF, .. "b\n-"u8, 0xE2, 0x82, (byte)'\n',
            .. "-"u8, 0xC3, .. "(\n+fine é\n+also\n+last\0nul\n"u8,
        ];
        var patch = UnifiedDiffParser.Parse(diff)[0].Patch!;

        Assert.Equal(["a\uFFFDb", "\uFFFD", "\uFFFD(", "fine é", "also", "last\0nul"], patch.Hunks[0].Lines.Select(patch.LineText));
    }

    [Fact]
    public void The_text_of_a_byte_parse_is_decoded_only_when_asked_for()
    {
        var bytes = Encoding.UTF8.GetBytes(Diff);
        var files = UnifiedDiffParser.Parse(bytes);
        bytes.AsSpan().Replace((byte)'k', (byte)'K'); // the parse kept the bytes, not a decoded copy

        Assert.Equal("Keep", files[0].Patch!.LineText(files[0].Patch!.Hunks[0].Lines[0]));
    }

    [Fact]
    public void A_truncated_hunk_keeps_the_lines_read_and_the_next_file_is_still_found()
    {
        const string diff =
            "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,5 +1,5 @@\n x\n-y\n+z\n" +
            "diff --git a/b b/b\n--- a/b\n+++ b/b\n@@ -1 +1 @@\n-p\n+q\n";
        var files = UnifiedDiffParser.Parse(diff);

        Assert.Equal(["a", "b"], files.Select(f => f.NewPath));
        Assert.Equal(3, files[0].Patch!.Hunks[0].Lines.Count);
        Assert.Equal((1, 1), (files[1].Patch!.Additions, files[1].Patch!.Deletions));
    }

    [Theory]
    [InlineData(new[] { 1, 3, 8_000, 2, 20_000, 5, 9_000, 7, 1, 600 })]
    // Headers that promise up to three times the lines that follow leave room in a hunk's own array, which later
    // hunks then fill; hunks of 2,000 to 12,000 lines get own arrays, grow out of them and leave them to others.
    [InlineData(new[] { 2, 3_000, 4, 5, 2_500, 6, 7, 12_000, 3, 1, 5_000, 900, 2, 10_000, 8, 1_500, 1 })]
    // The 12,000-line hunk's grown array (its header promised 36,001) is left to later hunks with 20,000 records of
    // room; the 25,000-line hunk starts there, outgrows it, and the hunks after it must not land on the first one's lines.
    [InlineData(new[] { 1, 2, 12_000, 2, 25_000, 3, 4 })]
    public void Hunks_keep_their_own_lines_when_many_hunks_share_the_parse_storage(int[] sizes)
    {
        // Hunks of 1 to 20,000 lines, some whose headers promise more lines than follow (a truncated hunk), so hunks
        // fill, straddle and outgrow the arrays the parser keeps line records in.
        var diff = new StringBuilder();
        for (var f = 0; f < sizes.Length; f++)
        {
            var n = sizes[f];
            var promised = (f % 3) switch { 1 => n + 50, 2 => 3 * n + 1, _ => n + 1 };
            diff.Append($"diff --git a/f{f} b/f{f}\n--- a/f{f}\n+++ b/f{f}\n@@ -1,1 +1,{promised} @@\n x{f}\n");
            for (var i = 0; i < n; i++)
            {
                diff.Append($"+f{f} line {i}\n");
            }
        }

        foreach (var files in new[] { UnifiedDiffParser.Parse(diff.ToString()), UnifiedDiffParser.Parse(Encoding.UTF8.GetBytes(diff.ToString())) })
        {
            Assert.Equal(sizes.Length, files.Count);
            for (var f = 0; f < sizes.Length; f++)
            {
                var patch = files[f].Patch!;
                var lines = Assert.Single(patch.Hunks).Lines;
                Assert.Equal(sizes[f] + 1, lines.Count);
                Assert.Equal((DiffLineKind.Context, 1, 1, $"x{f}"), (lines[0].Kind, lines[0].OldLine, lines[0].NewLine, patch.LineText(lines[0])));
                Assert.Equal(
                    Enumerable.Range(0, sizes[f]).Select(i => (DiffLineKind.Added, i + 2, $"f{f} line {i}")),
                    lines.Skip(1).Select(l => (l.Kind, l.NewLine, patch.LineText(l))));
            }
        }
    }

    [Fact]
    public void A_plain_diff_u_without_git_headers_is_read_with_its_timestamps_dropped()
    {
        var files = UnifiedDiffParser.Parse("--- a.txt\t2024-01-01 10:00\n+++ b.txt\t2024-01-02 10:00\n@@ -1 +1 @@\n-a\n+b\n");

        Assert.Equal(("a.txt", "b.txt", 1), (files[0].OldPath, files[0].NewPath, files[0].Patch!.Additions));
    }

    private static string Describe(IReadOnlyList<DiffFile> files) => string.Join("\n", files.Select(f =>
        $"{f.OldPath}|{f.NewPath}|{f.Status}|{f.IsBinary}|{f.HunksRange}|" + (f.Patch is null ? "-" : string.Join(";", f.Patch.Hunks.Select(h =>
            $"{h.OldStart},{h.OldCount},{h.NewStart},{h.NewCount},{h.Section}:" + string.Join(",", h.Lines.Select(l => $"{l}={f.Patch.LineText(l)}")))))));
}

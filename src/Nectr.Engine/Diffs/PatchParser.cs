namespace Nectr.Engine.Diffs;

/// <summary>
/// Parses the <c>patch</c> field of GitHub's "list pull request files" response: hunks only, no file headers.
/// </summary>
public static class PatchParser
{
    public static FilePatch Parse(string patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return DiffSource.ParseString(patch, Parse);
    }

    private static FilePatch Parse(ReadOnlySpan<byte> utf8, DiffSource source)
    {
        var hunks = new List<Hunk>();
        int additions = 0, deletions = 0;
        var lines = new Utf8Lines(utf8);
        HunkReader.Read(ref lines, strict: true, hunks, new DiffLineSlab(utf8.Length), ref additions, ref deletions);
        return new FilePatch(source, hunks, additions, deletions);
    }
}

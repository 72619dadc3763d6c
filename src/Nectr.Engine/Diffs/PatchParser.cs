namespace Nectr.Engine.Diffs;

/// <summary>
/// Parses the <c>patch</c> field of GitHub's "list pull request files" response: hunks only, no file headers.
/// </summary>
public static class PatchParser
{
    public static FilePatch Parse(string patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var hunks = new List<Hunk>();
        int additions = 0, deletions = 0;
        HunkReader.Read(patch, 0, patch.Length, strict: true, hunks, ref additions, ref deletions);
        return new FilePatch(patch, hunks, additions, deletions);
    }
}

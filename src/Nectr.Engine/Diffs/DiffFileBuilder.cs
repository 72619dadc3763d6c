using System.Text;

namespace Nectr.Engine.Diffs;

/// <summary>What the header lines of one file in a multi-file diff say, collected until its hunks are read.</summary>
internal sealed class DiffFileBuilder
{
    public string OldPath = "";
    public string NewPath = "";
    public DiffFileStatus Status = DiffFileStatus.Modified;
    public bool IsBinary;
    public bool SawFileLines;
    public FilePatch? Patch;
    public Range HunksRange;

    public static DiffFileBuilder FromGitHeader(ReadOnlySpan<byte> paths)
    {
        var builder = new DiffFileBuilder();
        var rest = paths;
        builder.OldPath = GitPaths.ReadStripped(ref rest);
        rest = rest.TrimStart((byte)' ');
        builder.NewPath = GitPaths.ReadStripped(ref rest);
        return builder;
    }

    public void Extended(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith("new file mode"u8))
        {
            Status = DiffFileStatus.Added;
        }
        else if (line.StartsWith("deleted file mode"u8))
        {
            Status = DiffFileStatus.Deleted;
        }
        else if (line.StartsWith("rename from "u8))
        {
            Status = DiffFileStatus.Renamed;
            OldPath = GitPaths.Unquote(line["rename from ".Length..]);
        }
        else if (line.StartsWith("rename to "u8))
        {
            Status = DiffFileStatus.Renamed;
            NewPath = GitPaths.Unquote(line["rename to ".Length..]);
        }
        else if (line.StartsWith("copy from "u8))
        {
            Status = DiffFileStatus.Copied;
            OldPath = GitPaths.Unquote(line["copy from ".Length..]);
        }
        else if (line.StartsWith("copy to "u8))
        {
            Status = DiffFileStatus.Copied;
            NewPath = GitPaths.Unquote(line["copy to ".Length..]);
        }
        else if (line.StartsWith("GIT binary patch"u8) || (line.StartsWith("Binary files "u8) && line.EndsWith(" differ"u8)))
        {
            IsBinary = true;
        }
    }

    public void FromLine(ReadOnlySpan<byte> path, bool isOld)
    {
        // "--- a/path\t2024-01-01 ..." (diff -u adds a timestamp after a tab) and '+++ "b/d\303\251j\303\240 vu"\t' (git
        // adds a tab after a name with a space, quoted or not): the name ends at the tab or at its closing quote.
        string value;
        if (!path.IsEmpty && path[0] == '"')
        {
            value = GitPaths.Read(ref path);
            if (value == "/dev/null")
            {
                Status = isOld ? DiffFileStatus.Added : DiffFileStatus.Deleted;
                return;
            }

            value = GitPaths.StripPrefix(value);
        }
        else
        {
            var tab = path.IndexOf((byte)'\t');
            var name = tab >= 0 ? path[..tab] : path;
            if (name.SequenceEqual("/dev/null"u8))
            {
                Status = isOld ? DiffFileStatus.Added : DiffFileStatus.Deleted;
                return;
            }

            // Mostly the name the git header already gave: keep that string rather than decode an equal one.
            name = GitPaths.StripPrefix(name);
            var known = isOld ? OldPath : NewPath;
            value = Ascii.Equals(name, known) ? known : Encoding.UTF8.GetString(name);
        }

        if (isOld)
        {
            OldPath = value;
        }
        else
        {
            NewPath = value;
        }
    }

    public DiffFile Build()
    {
        var oldPath = OldPath.Length == 0 ? NewPath : OldPath;
        var newPath = NewPath.Length == 0 ? OldPath : NewPath;
        return new DiffFile(oldPath, newPath, Status, IsBinary, IsBinary ? null : Patch) { HunksRange = IsBinary ? default : HunksRange };
    }
}

using System.Text;

namespace Nectr.Engine.Diffs;

public enum DiffFileStatus { Added, Deleted, Modified, Renamed, Copied }

/// <summary>One file of a multi-file diff. <see cref="Patch"/> is null for binaries and mode-only changes.</summary>
public sealed record DiffFile(string OldPath, string NewPath, DiffFileStatus Status, bool IsBinary, FilePatch? Patch)
{
    /// <summary>Where this file's hunks are in the source text: what GitHub calls the file's <c>patch</c>.</summary>
    public Range HunksRange { get; init; }
}

/// <summary>
/// Parses <c>git diff</c>, <c>git log -p</c> and <c>git format-patch</c> output (and plain <c>diff -u</c>): git
/// extended headers, renames and copies, binaries, quoted paths. Commit headers and messages between diffs are
/// skipped. Every file's patch points into the one source string; nothing is copied per line.
/// </summary>
public static class UnifiedDiffParser
{
    public static IReadOnlyList<DiffFile> Parse(string diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var files = new List<DiffFile>();
        var current = default(Builder);
        var position = 0;
        var end = diff.Length;
        while (position < end)
        {
            var (lineEnd, next) = HunkReader.LineBounds(diff, position, end);
            var line = diff.AsSpan(position, lineEnd - position);

            if (line.StartsWith("diff --git "))
            {
                Flush(files, ref current);
                current = Builder.FromGitHeader(line["diff --git ".Length..]);
            }
            else if (line.StartsWith("@@ ") && current is not null)
            {
                var hunks = new List<Hunk>();
                int additions = 0, deletions = 0;
                next = HunkReader.Read(diff, position, end, strict: false, hunks, ref additions, ref deletions);
                current.Patch = new FilePatch(diff, hunks, additions, deletions);
                current.HunksRange = position..next;
            }
            else if (line.StartsWith("--- ") && next < end && diff.AsSpan(next).StartsWith("+++ "))
            {
                if (current is null || current.Patch is not null || current.SawFileLines)
                {
                    Flush(files, ref current); // a plain `diff -u` file, with no git header
                    current = new Builder();
                }

                current.SawFileLines = true;
                current.FromLine(line[4..], isOld: true);
                var (plusEnd, afterPlus) = HunkReader.LineBounds(diff, next, end);
                current.FromLine(diff.AsSpan(next + 4, plusEnd - next - 4), isOld: false);
                next = afterPlus;
            }
            else if (current is not null && current.Patch is null)
            {
                current.Extended(line);
            }

            position = next;
        }

        Flush(files, ref current);
        return files;
    }

    private static void Flush(List<DiffFile> files, ref Builder? current)
    {
        if (current is not null)
        {
            files.Add(current.Build());
        }

        current = null;
    }

    private sealed class Builder
    {
        public string OldPath = "";
        public string NewPath = "";
        public DiffFileStatus Status = DiffFileStatus.Modified;
        public bool IsBinary;
        public bool SawFileLines;
        public FilePatch? Patch;
        public Range HunksRange;

        public static Builder FromGitHeader(ReadOnlySpan<char> paths)
        {
            var builder = new Builder();
            var rest = paths;
            var first = ReadPath(ref rest);
            rest = rest.TrimStart(' ');
            var second = ReadPath(ref rest);
            builder.OldPath = StripPrefix(first);
            builder.NewPath = StripPrefix(second);
            return builder;
        }

        public void Extended(ReadOnlySpan<char> line)
        {
            if (line.StartsWith("new file mode"))
            {
                Status = DiffFileStatus.Added;
            }
            else if (line.StartsWith("deleted file mode"))
            {
                Status = DiffFileStatus.Deleted;
            }
            else if (line.StartsWith("rename from "))
            {
                Status = DiffFileStatus.Renamed;
                OldPath = Unquote(line["rename from ".Length..]);
            }
            else if (line.StartsWith("rename to "))
            {
                Status = DiffFileStatus.Renamed;
                NewPath = Unquote(line["rename to ".Length..]);
            }
            else if (line.StartsWith("copy from "))
            {
                Status = DiffFileStatus.Copied;
                OldPath = Unquote(line["copy from ".Length..]);
            }
            else if (line.StartsWith("copy to "))
            {
                Status = DiffFileStatus.Copied;
                NewPath = Unquote(line["copy to ".Length..]);
            }
            else if (line.StartsWith("GIT binary patch") || (line.StartsWith("Binary files ") && line.EndsWith(" differ")))
            {
                IsBinary = true;
            }
        }

        public void FromLine(ReadOnlySpan<char> path, bool isOld)
        {
            // "--- a/path\t2024-01-01 ..." (diff -u adds a timestamp after a tab)
            var tab = path.IndexOf('\t');
            if (tab >= 0 && (path.IsEmpty || path[0] != '"'))
            {
                path = path[..tab];
            }

            var value = Unquote(path);
            if (value == "/dev/null")
            {
                Status = isOld ? DiffFileStatus.Added : DiffFileStatus.Deleted;
                return;
            }

            value = StripPrefix(value);
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

        private static string ReadPath(ref ReadOnlySpan<char> rest)
        {
            if (!rest.IsEmpty && rest[0] == '"')
            {
                var close = 1;
                while (close < rest.Length && (rest[close] != '"' || rest[close - 1] == '\\'))
                {
                    close++;
                }

                var quoted = rest[..Math.Min(close + 1, rest.Length)];
                rest = rest[Math.Min(close + 1, rest.Length)..];
                return Unquote(quoted);
            }

            // Unquoted "a/x b/y": paths may contain spaces, so split at " b/" when there is one.
            var split = rest.IndexOf(" b/");
            if (split < 0)
            {
                split = rest.IndexOf(' ');
            }

            if (split < 0)
            {
                var all = rest.ToString();
                rest = [];
                return all;
            }

            var path = rest[..split].ToString();
            rest = rest[split..];
            return path;
        }

        private static string StripPrefix(string path) =>
            path.Length > 2 && (path.StartsWith("a/", StringComparison.Ordinal) || path.StartsWith("b/", StringComparison.Ordinal)) ? path[2..] : path;

        /// <summary>Git quotes paths with unusual bytes C-style, with octal escapes for UTF-8 bytes.</summary>
        private static string Unquote(ReadOnlySpan<char> text)
        {
            if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
            {
                return text.ToString();
            }

            var bytes = new List<byte>(text.Length);
            for (var i = 1; i < text.Length - 1; i++)
            {
                var c = text[i];
                if (c != '\\' || i + 1 >= text.Length - 1)
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                    continue;
                }

                var e = text[++i];
                switch (e)
                {
                    case 'n': bytes.Add((byte)'\n'); break;
                    case 't': bytes.Add((byte)'\t'); break;
                    case '"': bytes.Add((byte)'"'); break;
                    case '\\': bytes.Add((byte)'\\'); break;
                    case >= '0' and <= '7' when i + 2 < text.Length - 1:
                        bytes.Add((byte)(((e - '0') << 6) | ((text[i + 1] - '0') << 3) | (text[i + 2] - '0')));
                        i += 2;
                        break;
                    default: bytes.Add((byte)e); break;
                }
            }

            return Encoding.UTF8.GetString([.. bytes]);
        }
    }
}

using System.Buffers;
using System.Buffers.Text;

namespace Nectr.Engine.Diffs;

/// <summary>
/// Writes what <c>git apply --numstat</c> prints for the same diff: "added TAB deleted TAB path" per file, "-	-	path"
/// for binaries, the new path (the old one for a deletion), quoted as git quotes it. Comparing the two outputs checks
/// the parser against git on real history.
/// </summary>
public static class DiffNumstat
{
    public static void Write(IEnumerable<DiffFile> files, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var file in files)
        {
            if (file.IsBinary)
            {
                output.Write("-\t-\t"u8);
            }
            else
            {
                WriteNumber(file.Patch?.Additions ?? 0, output);
                output.Write("\t"u8);
                WriteNumber(file.Patch?.Deletions ?? 0, output);
                output.Write("\t"u8);
            }

            GitPaths.WriteQuoted(file.Status == DiffFileStatus.Deleted ? file.OldPath : file.NewPath, output);
            output.Write("\n"u8);
        }
    }

    private static void WriteNumber(int value, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(11);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }
}

using Nectr.Engine.Review;

namespace Nectr.Engine.Diffs;

/// <summary>Turns a local unified diff into the file list GitHub would give for a pull request, so one engine reviews both.</summary>
public static class DiffFiles
{
    /// <exception cref="FormatException">
    /// The diff names a file twice: it is several diffs one after another (<c>git log -p</c>, concatenated
    /// <c>format-patch</c> files), whose hunks are relative to different bases, so no single line map fits them.
    /// </exception>
    public static IReadOnlyList<PullRequestFile> ToPullRequestFiles(string diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var files = new List<PullRequestFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in UnifiedDiffParser.Parse(diff))
        {
            var path = file.Status == DiffFileStatus.Deleted ? file.OldPath : file.NewPath;
            if (!seen.Add(path))
            {
                throw new FormatException(
                    $"The diff names '{path}' more than once, as `git log -p` or concatenated `git format-patch` files do: each part is " +
                    "relative to a different base. Review one combined diff instead, e.g. `git diff BASE...HEAD | nectr review --diff -` " +
                    "or `nectr review --repo . --base BASE`.");
            }

            var (status, previous) = file.Status switch
            {
                DiffFileStatus.Added => ("added", null),
                DiffFileStatus.Deleted => ("removed", null),
                DiffFileStatus.Renamed => ("renamed", file.OldPath),
                DiffFileStatus.Copied => ("copied", file.OldPath),
                _ => ("modified", (string?)null),
            };

            // GitHub sends no patch for binaries; a pure rename or mode change has no hunks either.
            var patch = file.Patch is { Hunks.Count: > 0 } ? diff[file.HunksRange].TrimEnd('\n', '\r') : null;
            files.Add(new PullRequestFile(path, status, file.Patch?.Additions ?? 0, file.Patch?.Deletions ?? 0, patch, previous));
        }

        return files;
    }
}

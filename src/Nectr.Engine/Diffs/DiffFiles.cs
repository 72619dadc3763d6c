using Nectr.Engine.Review;

namespace Nectr.Engine.Diffs;

/// <summary>Turns a local unified diff into the file list GitHub would give for a pull request, so one engine reviews both.</summary>
public static class DiffFiles
{
    public static IReadOnlyList<PullRequestFile> ToPullRequestFiles(string diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var files = new List<PullRequestFile>();
        foreach (var file in UnifiedDiffParser.Parse(diff))
        {
            var path = file.Status == DiffFileStatus.Deleted ? file.OldPath : file.NewPath;
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

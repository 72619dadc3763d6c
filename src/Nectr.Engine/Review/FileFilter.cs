namespace Nectr.Engine.Review;

/// <summary>
/// Decides which files the review reads, keeping a reason for each one it does not, for the coverage note.
/// </summary>
internal static class FileFilter
{
    private static readonly HashSet<string> LockFiles = new(StringComparer.OrdinalIgnoreCase)
    {
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "deno.lock",
        "Cargo.lock", "poetry.lock", "Pipfile.lock", "uv.lock", "pdm.lock", "Gemfile.lock", "composer.lock",
        "go.sum", "packages.lock.json", "paket.lock", "mix.lock", "pubspec.lock", "Podfile.lock",
        "Package.resolved", "gradle.lockfile", "flake.lock", "conda-lock.yml",
    };

    private static readonly string[] GeneratedSuffixes =
    [
        ".min.js", ".min.css", ".min.mjs", ".map", ".designer.cs", ".g.cs", ".g.i.cs", ".generated.cs",
        ".pb.go", "_pb2.py", "_pb2_grpc.py", ".pb.cc", ".pb.h", ".snap",
    ];

    private static readonly string[] VendoredFolders = ["vendor/", "node_modules/", "third_party/", "third-party/", "bower_components/", "Pods/"];

    private static readonly string[] GeneratedFolders = ["dist/", "build/generated/", "__generated__/"];

    private static readonly HashSet<string> BinaryExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tif", ".tiff", ".psd", ".pdf",
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".jar", ".war", ".nupkg", ".whl",
        ".dll", ".exe", ".so", ".dylib", ".a", ".lib", ".o", ".obj", ".pdb", ".class", ".wasm", ".bin",
        ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".mov", ".wav", ".ogg", ".sqlite", ".db",
    };

    /// <summary>Why <paramref name="file"/> is not reviewed, or null when it is.</summary>
    public static string? SkipReason(PullRequestFile file)
    {
        var path = file.Path.Replace('\\', '/');
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (file.Status == "removed")
        {
            return "deleted";
        }

        if (LockFiles.Contains(name))
        {
            return "lock file";
        }

        if (IsUnder(path, VendoredFolders))
        {
            return "vendored";
        }

        if (GeneratedSuffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase)) || IsUnder(path, GeneratedFolders))
        {
            return "generated or minified";
        }

        if (BinaryExtensions.Contains(Path.GetExtension(name)))
        {
            return "binary";
        }

        if (file.Patch is null)
        {
            // GitHub omits the patch for binaries and for diffs too large to show.
            return (file.Additions + file.Deletions, file.Status) switch
            {
                (0, "renamed") => "renamed without changes",
                (0, _) => "binary or no textual change",
                _ => "diff too large for GitHub to show",
            };
        }

        return null;
    }

    private static bool IsUnder(string path, string[] folders) =>
        folders.Any(f => path.StartsWith(f, StringComparison.Ordinal) || path.Contains("/" + f, StringComparison.Ordinal));
}

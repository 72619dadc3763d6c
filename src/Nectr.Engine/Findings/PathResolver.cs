namespace Nectr.Engine.Findings;

/// <summary>
/// Maps the path a model wrote to a file of the diff. Models echo "a/" and "b/" prefixes, add "./" or a leading
/// slash, change case or give only the file name; each fallback is taken only when it names exactly one file.
/// </summary>
internal static class PathResolver
{
    public static string Resolve<T>(string modelPath, IReadOnlyDictionary<string, T> patches)
    {
        var files = patches.Keys;
        if (patches.ContainsKey(modelPath))
        {
            return modelPath;
        }

        var path = Strip(modelPath);
        if (patches.ContainsKey(path))
        {
            return path;
        }

        if (Unique(files.Where(f => string.Equals(f, path, StringComparison.OrdinalIgnoreCase))) is { } caseInsensitive)
        {
            return caseInsensitive;
        }

        if (path.Length > 0 && Unique(files.Where(f => IsSuffix(f, path) || IsSuffix(path, f))) is { } suffix)
        {
            return suffix;
        }

        return modelPath; // no patch for it: anchoring moves the finding to the summary
    }

    private static string Strip(string path)
    {
        path = path.Trim().Replace('\\', '/');
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var prefix in (ReadOnlySpan<string>)["./", "a/", "b/", "/"])
            {
                if (path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    path = path[prefix.Length..];
                    changed = true;
                }
            }
        }

        return path;
    }

    /// <summary>Whether <paramref name="suffix"/> is a whole-segment tail of <paramref name="path"/>.</summary>
    private static bool IsSuffix(string path, string suffix) =>
        path.Length > suffix.Length && path[path.Length - suffix.Length - 1] == '/' && path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);

    private static string? Unique(IEnumerable<string> matches)
    {
        string? found = null;
        foreach (var match in matches)
        {
            if (found is not null)
            {
                return null;
            }

            found = match;
        }

        return found;
    }
}

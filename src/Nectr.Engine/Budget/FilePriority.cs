using System.Text.RegularExpressions;
using Nectr.Engine.Review;

namespace Nectr.Engine.Budget;

/// <summary>What kind of file a path is, for ordering: lower values reach the model first.</summary>
public enum FileClass { Source, Test, Other }

/// <summary>
/// The order in which files claim the token budget, so that when a PR does not fit, what is left out is what
/// matters least: source before tests before docs and config; within a class, files that add lines before
/// deletion-only files (the model can only comment on new lines); then security-sensitive paths, then more added
/// lines; ties by path, so the same PR always yields the same plan.
/// </summary>
public static partial class FilePriority
{
    private static readonly HashSet<string> SourceExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".cs", ".fs", ".vb", ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".m", ".mm", ".go", ".rs", ".java", ".kt",
        ".kts", ".scala", ".groovy", ".swift", ".dart", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx",
        ".vue", ".svelte", ".py", ".rb", ".php", ".pl", ".pm", ".lua", ".r", ".jl", ".ex", ".exs", ".erl", ".hs",
        ".clj", ".cljs", ".elm", ".ml", ".zig", ".nim", ".sql", ".sh", ".bash", ".zsh", ".ps1", ".psm1", ".bat",
        ".cmd", ".razor", ".cshtml", ".sol", ".tf", ".hcl", ".proto", ".graphql",
    };

    /// <summary>Order in which the model should see <paramref name="files"/>; a new list, the input is not changed.</summary>
    public static IReadOnlyList<ReviewableFile> Order(IEnumerable<ReviewableFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return files
            .Select(f => (File: f, Key: KeyOf(f)))
            .OrderBy(x => x.Key.Class)
            .ThenBy(x => x.Key.DeletionOnly)
            .ThenByDescending(x => x.Key.SecuritySensitive)
            .ThenByDescending(x => x.Key.Added)
            .ThenBy(x => x.File.File.Path, StringComparer.Ordinal)
            .Select(x => x.File)
            .ToList();
    }

    public static FileClass Classify(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = path.Replace('\\', '/');
        var name = normalized[(normalized.LastIndexOf('/') + 1)..];
        if (TestPath().IsMatch(normalized))
        {
            return FileClass.Test;
        }

        // Build and CI definitions run code with the repository's secrets: they are reviewed like source.
        return SourceExtensions.Contains(Path.GetExtension(name)) || IsExecutableConfig(normalized, name) ? FileClass.Source : FileClass.Other;
    }

    /// <summary>Paths where a mistake tends to be a vulnerability: authentication, crypto, queries, schema, permissions, build and CI.</summary>
    public static bool IsSecuritySensitive(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = path.Replace('\\', '/');
        var name = normalized[(normalized.LastIndexOf('/') + 1)..];
        return SensitiveWords().IsMatch(normalized) || IsExecutableConfig(normalized, name);
    }

    private static bool IsExecutableConfig(string path, string name) =>
        name.StartsWith("Dockerfile", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".dockerfile", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Makefile", StringComparison.Ordinal)
        || path.StartsWith(".github/workflows/", StringComparison.Ordinal)
        || path.StartsWith(".github/actions/", StringComparison.Ordinal)
        || name.Equals(".gitlab-ci.yml", StringComparison.OrdinalIgnoreCase)
        || name.Equals("azure-pipelines.yml", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Jenkinsfile", StringComparison.Ordinal);

    private static (FileClass Class, bool DeletionOnly, bool SecuritySensitive, int Added) KeyOf(ReviewableFile file)
    {
        var path = file.File.Path;
        var added = file.Patch.Additions;
        return (Classify(path), added == 0 && file.Patch.Deletions > 0, IsSecuritySensitive(path), added);
    }

    // A folder named test(s)/spec(s)/__tests__, or a file name that says it is a test in the usual conventions.
    [GeneratedRegex(@"(^|/)(tests?|specs?|__tests__|testing)/|(^|/)test_[^/]*$|[._-](test|tests|spec)\.[^/.]+$|(Tests?|Specs?)\.[^/.]+$|_test\.go$", RegexOptions.CultureInvariant)]
    private static partial Regex TestPath();

    [GeneratedRegex(@"auth|login|session|passw|crypt|cipher|secret|token|credential|permission|acl|rbac|policy|sql|migration|security|oauth|saml|jwt|sanitiz|csrf|cors", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SensitiveWords();
}

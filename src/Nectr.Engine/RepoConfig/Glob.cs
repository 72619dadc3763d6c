using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Nectr.Engine.RepoConfig;

/// <summary>
/// The path globs of <c>.nectr.yml</c> (<c>ignore</c>, <c>path_instructions</c>, <c>auto_review.base_branches</c>):
/// <c>*</c> matches within one path segment, <c>**</c> across segments, <c>?</c> one character, <c>{a,b}</c> either
/// word; a pattern without <c>/</c> matches the name in any folder (as in .gitignore), a trailing <c>/</c> a whole folder.
/// Matching is case-sensitive, like Git. Compiled with the non-backtracking engine: a hostile pattern costs linear time.
/// </summary>
public static class Glob
{
    /// <summary>Longest pattern accepted; the schema says the same.</summary>
    public const int MaxLength = 200;

    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    public static bool IsMatch(string pattern, string path)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(path);
        if (Compiled.Count > 4096)
        {
            Compiled.Clear(); // Patterns come from repositories' files: bound what a busy server keeps.
        }

        return Compiled.GetOrAdd(pattern, static p => new Regex(ToRegex(p), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)).IsMatch(path);
    }

    /// <summary>Whether any of <paramref name="patterns"/> matches <paramref name="path"/>.</summary>
    public static bool AnyMatch(IEnumerable<string> patterns, string path) => patterns.Any(p => IsMatch(p, path));

    /// <summary>Why <paramref name="pattern"/> is not a usable glob, or null when it is.</summary>
    public static string? Problem(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.Trim().Length == 0)
        {
            return "is empty";
        }

        if (pattern.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        var open = pattern.Count(c => c == '{');
        return open != pattern.Count(c => c == '}') || open > 4 ? "has unbalanced or too many { } groups" : null;
    }

    internal static string ToRegex(string pattern)
    {
        var glob = pattern.Trim();
        var anchored = glob.StartsWith('/');
        glob = glob.TrimStart('/');
        var folder = glob.EndsWith('/');
        glob = glob.TrimEnd('/');
        var regex = new StringBuilder("^");
        if (!anchored && !glob.Contains('/', StringComparison.Ordinal))
        {
            regex.Append("(?:.*/)?"); // A bare name matches in any folder.
        }

        var inGroup = false;
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slashAfter = i + 2 < glob.Length && glob[i + 2] == '/';
                regex.Append(slashAfter ? "(?:.*/)?" : ".*");
                i += slashAfter ? 2 : 1;
                continue;
            }

            regex.Append(c switch
            {
                '*' => "[^/]*",
                '?' => "[^/]",
                '{' when !inGroup => "(?:",
                '}' when inGroup => ")",
                ',' when inGroup => "|",
                _ => Regex.Escape(c.ToString()),
            });
            inGroup = c switch { '{' => true, '}' => false, _ => inGroup };
        }

        regex.Append(folder ? "/.*$" : "(?:/.*)?$");
        return regex.ToString();
    }
}

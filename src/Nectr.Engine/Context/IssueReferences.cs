using System.Globalization;
using Nectr.Engine.Review;

namespace Nectr.Engine.Context;

/// <summary>
/// The issues a pull request says it closes, read from its title, description and commit messages the way GitHub
/// reads closing keywords: <c>Fixes #12</c>, <c>closes: other/repo#3</c>, <c>Resolves https://github.com/o/r/issues/7</c>
/// (any case, optional colon; a keyword before each reference). References inside code are examples and are ignored.
/// A hand scanner, one pass per line, so hostile text (megabytes, NUL bytes, 40-digit numbers) costs linear time
/// and never throws.
/// </summary>
public static class IssueReferences
{
    /// <summary>The most linked issues a review fetches and shows.</summary>
    public const int MaxReferences = 5;

    /// <summary>GitHub caps a description at 65,536 characters; longer text is not a real description.</summary>
    internal const int MaxTextChars = 70_000;

    /// <summary>GitHub lists at most 250 commits of a pull request.</summary>
    internal const int MaxCommits = 250;

    // Longest first, so "fixes" is not read as "fix" followed by "es".
    private static readonly string[] Keywords = ["resolves", "resolved", "resolve", "closes", "closed", "close", "fixes", "fixed", "fix"];

    /// <summary>
    /// The pull request's linked issues, first seen first, without repeats, at most <see cref="MaxReferences"/>.
    /// <paramref name="webBaseUrl"/> is the GitHub web address issue URLs start with (https://github.com, or an
    /// Enterprise server's).
    /// </summary>
    public static IReadOnlyList<IssueReference> Find(ReviewRequest request, string webBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Find(request.Owner, request.Repo, [request.Title, request.Description, .. request.CommitMessages.Take(MaxCommits)], webBaseUrl);
    }

    /// <summary>The linked issues in <paramref name="texts"/>, read as texts of a pull request in <paramref name="owner"/>/<paramref name="repo"/>.</summary>
    public static IReadOnlyList<IssueReference> Find(string owner, string repo, IEnumerable<string?> texts, string webBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(webBaseUrl);
        var scanner = new Scanner(owner, repo, webBaseUrl.TrimEnd('/') + "/");
        foreach (var text in texts)
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            foreach (var line in OutsideCode.Lines(text.Length > MaxTextChars ? text[..MaxTextChars] : text))
            {
                if (scanner.ScanLine(line))
                {
                    return scanner.Found;
                }
            }
        }

        return scanner.Found;
    }

    private sealed class Scanner(string owner, string repo, string issueUrlPrefix)
    {
        private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);

        public List<IssueReference> Found { get; } = [];

        /// <summary>Reads one line; true once <see cref="MaxReferences"/> were found.</summary>
        public bool ScanLine(string line)
        {
            for (var i = 0; i < line.Length; i++)
            {
                if (!char.IsAsciiLetter(line[i]) || (i > 0 && IsWordChar(line[i - 1])) || Keyword(line, i) is not { } length)
                {
                    continue;
                }

                if (Target(line, i + length) is { } reference && Add(reference))
                {
                    return true;
                }

                i += length - 1;
            }

            return false;
        }

        private bool Add(IssueReference reference)
        {
            if (reference.IsIn(owner, repo))
            {
                reference = new IssueReference(owner, repo, reference.Number);
            }

            if (_seen.Add($"{reference.Owner}/{reference.Repo}#{reference.Number.ToString(CultureInfo.InvariantCulture)}"))
            {
                Found.Add(reference);
            }

            return Found.Count >= MaxReferences;
        }

        private static int? Keyword(string line, int at)
        {
            foreach (var keyword in Keywords)
            {
                var end = at + keyword.Length;
                if (line.AsSpan(at).StartsWith(keyword, StringComparison.OrdinalIgnoreCase) && (end == line.Length || !IsWordChar(line[end])))
                {
                    return keyword.Length;
                }
            }

            return null;
        }

        /// <summary>What follows a keyword: an optional colon, spaces, then <c>#N</c>, <c>owner/repo#N</c> or an issue URL.</summary>
        private IssueReference? Target(string line, int at)
        {
            var colon = at < line.Length && line[at] == ':';
            var p = colon ? at + 1 : at;
            var spaces = p;
            while (p < line.Length && line[p] is ' ' or '\t')
            {
                p++;
            }

            if (p >= line.Length || (!colon && p == spaces))
            {
                return null;
            }

            if (line[p] == '#')
            {
                return Number(line, p + 1) is { } n ? new IssueReference(owner, repo, n) : null;
            }

            if (issueUrlPrefix.Length > 1 && line.AsSpan(p).StartsWith(issueUrlPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return FromUrl(line, p + issueUrlPrefix.Length);
            }

            return Qualified(line, p);
        }

        /// <summary><c>owner/repo/issues/N</c> after the web address.</summary>
        private static IssueReference? FromUrl(string line, int at)
        {
            var slash = End(line, at, '/');
            if (slash < 0 || !IssueReference.IsOwnerName(line.AsSpan(at, slash - at)))
            {
                return null;
            }

            var next = End(line, slash + 1, '/');
            const string Issues = "/issues/";
            if (next < 0 || !IssueReference.IsRepoName(line.AsSpan(slash + 1, next - slash - 1))
                || !line.AsSpan(next).StartsWith(Issues, StringComparison.Ordinal))
            {
                return null;
            }

            return Number(line, next + Issues.Length) is { } n ? new IssueReference(line[at..slash], line[(slash + 1)..next], n) : null;
        }

        /// <summary><c>owner/repo#N</c>.</summary>
        private static IssueReference? Qualified(string line, int at)
        {
            var slash = End(line, at, '/');
            if (slash < 0 || !IssueReference.IsOwnerName(line.AsSpan(at, slash - at)))
            {
                return null;
            }

            var hash = End(line, slash + 1, '#');
            if (hash < 0 || !IssueReference.IsRepoName(line.AsSpan(slash + 1, hash - slash - 1)))
            {
                return null;
            }

            return Number(line, hash + 1) is { } n ? new IssueReference(line[at..slash], line[(slash + 1)..hash], n) : null;
        }

        /// <summary>The index of <paramref name="stop"/> within the next 101 characters of name, or -1.</summary>
        private static int End(string line, int from, char stop)
        {
            var limit = Math.Min(line.Length, from + 101);
            for (var i = from; i < limit; i++)
            {
                if (line[i] == stop)
                {
                    return i;
                }

                if (!char.IsAsciiLetterOrDigit(line[i]) && line[i] is not ('-' or '.' or '_'))
                {
                    return -1;
                }
            }

            return -1;
        }

        /// <summary>A positive issue number that fits an int and ends at a word boundary; anything else is no reference.</summary>
        private static int? Number(string line, int at)
        {
            var end = at;
            while (end < line.Length && char.IsAsciiDigit(line[end]) && end - at <= 10)
            {
                end++;
            }

            if (end == at || line[at] == '0' || end - at > 10 || (end < line.Length && IsWordChar(line[end])))
            {
                return null;
            }

            return long.Parse(line.AsSpan(at, end - at), NumberStyles.None, CultureInfo.InvariantCulture) is var n and <= int.MaxValue ? (int)n : null;
        }

        private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
    }
}

using System.Buffers;

namespace Nectr.Engine.Context;

/// <summary>
/// An issue a pull request names: in its own repository, or in <see cref="Owner"/>/<see cref="Repo"/> elsewhere on the
/// same GitHub. Names are compared as GitHub compares them, ignoring case.
/// </summary>
public sealed record IssueReference(string Owner, string Repo, int Number)
{
    private static readonly SearchValues<char> OwnerChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    private static readonly SearchValues<char> RepoChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");

    public bool IsIn(string owner, string repo) =>
        string.Equals(Owner, owner, StringComparison.OrdinalIgnoreCase) && string.Equals(Repo, repo, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What GitHub writes for the reference as seen from <paramref name="owner"/>/<paramref name="repo"/>: <c>#12</c>, or
    /// <c>other/repo#12</c>. GitHub turns either into a link on its own host, so the text never carries a URL.
    /// </summary>
    public string ShortForm(string owner, string repo) =>
        IsIn(owner, repo) ? $"#{Number}" : $"{Owner}/{Repo}#{Number}";

    /// <summary>GitHub's rules for an account name: letters, digits and single hyphens, at most 39, no leading hyphen.</summary>
    internal static bool IsOwnerName(ReadOnlySpan<char> name) =>
        name.Length is > 0 and <= 39 && name[0] != '-' && !name.ContainsAnyExcept(OwnerChars);

    /// <summary>GitHub's rules for a repository name: letters, digits, '.', '-', '_', at most 100, not "." or "..".</summary>
    internal static bool IsRepoName(ReadOnlySpan<char> name) =>
        name.Length is > 0 and <= 100 && !name.SequenceEqual(".") && !name.SequenceEqual("..") && !name.ContainsAnyExcept(RepoChars);
}

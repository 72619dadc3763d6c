namespace Nectr.Context;

/// <summary>
/// The pull request a review's context is gathered for, as GitHub described it: title, body and author are untrusted
/// text; <see cref="Paths"/> are the changed files in the PR's order.
/// </summary>
internal sealed record ReviewSubject(
    string Owner,
    string Repo,
    int Number,
    string Title,
    string? Body,
    string? Author,
    string HeadSha,
    IReadOnlyList<string> Paths)
{
    public string FullName => $"{Owner}/{Repo}";
}

namespace Nectr.RepoConfig;

/// <summary>
/// How an unusable <c>.nectr.yml</c> is told to the pull request: one notice in its sticky summary comment, which is
/// edited in place on every run, so the problem is reported once however many pushes follow. The summary cleans and
/// bounds every notice like model text (the problem may quote a few characters of the file).
/// </summary>
internal static class ConfigNotices
{
    public static string Text(string problem) =>
        $"Settings: {problem.ReplaceLineEndings(" ").Trim()}. Nectr used the defaults; fix .nectr.yml on the default branch.";
}

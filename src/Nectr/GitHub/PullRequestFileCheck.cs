namespace Nectr.GitHub;

/// <summary>
/// GitHub's list of a pull request's files, checked before the review uses it: an entry without a filename or status
/// cannot be reviewed, anchored or reported, and must not surface later as a NullReferenceException with no hint.
/// </summary>
internal static class PullRequestFileCheck
{
    public static IReadOnlyList<GitHubPullRequestFile> Checked(IReadOnlyList<GitHubPullRequestFile> files, string owner, string repo, int number)
    {
        for (var i = 0; i < files.Count; i++)
        {
            // The JSON reader fills non-nullable properties with null when GitHub leaves the field out.
            if (string.IsNullOrEmpty(files[i].Filename) || string.IsNullOrEmpty(files[i].Status))
            {
                throw new GitHubIncompleteAnswerException(
                    $"GitHub's list of files for {owner}/{repo}#{number} has an entry without a {(string.IsNullOrEmpty(files[i].Filename) ? "filename" : "status")} "
                    + $"(entry {i + 1} of {files.Count}), so Nectr cannot tell what it would review. Press Retry on the Activity page once GitHub "
                    + "answers completely (check https://www.githubstatus.com); if it persists, report the pull request to GitHub Support.");
            }
        }

        return files;
    }
}

/// <summary>GitHub answered 200 with data Nectr cannot use; the message says what was missing and what to do.</summary>
internal sealed class GitHubIncompleteAnswerException(string message) : Exception(message);

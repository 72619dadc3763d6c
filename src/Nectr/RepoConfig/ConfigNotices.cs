using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Engine.Review;

namespace Nectr.RepoConfig;

/// <summary>
/// Tells a pull request once that its repository's <c>.nectr.yml</c> is unusable. Until the sticky summary carries
/// <see cref="EffectiveConfig.Problem"/>, the notice goes at the top of the review body, and only when no earlier review
/// of the pull request carried the same notice: a second push does not report it again. The text is cleaned like
/// model text (the problem may quote a few characters of the file), and bounded.
/// </summary>
internal sealed class ConfigNotices(IDbContextFactory<NectrDb>? dbs = null)
{
    /// <summary>The notice for <paramref name="problem"/>, as it is posted.</summary>
    public static string Text(string problem, string owner, string repo) =>
        "> **Settings:** " + OutputHygiene.Clean(problem, owner, repo).ReplaceLineEndings(" ").Trim() + ". Nectr used the defaults for this review; fix the file on the default branch.";

    /// <summary><paramref name="result"/> with the notice of <paramref name="config"/>'s problem, unless there is none or it was reported on this PR already.</summary>
    public async Task<ReviewResult> AddOnceAsync(string owner, string repo, int number, EffectiveConfig config, ReviewResult result, CancellationToken cancellationToken)
    {
        if (config.Problem is not { } problem)
        {
            return result;
        }

        var notice = Text(problem, owner, repo);
        if (dbs is not null)
        {
            var fullName = $"{owner}/{repo}";
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            if (await db.Reviews.AnyAsync(r => r.RepositoryFullName == fullName && r.PullNumber == number && r.Body.Contains(notice), cancellationToken))
            {
                return result;
            }
        }

        // Never cut the body (its end carries the review's marker) to make room: a body that full goes without the notice.
        return result with
        {
            Body = With(notice, result.Body),
            BodyWithoutInline = With(notice, result.BodyWithoutInline),
        };
    }

    private static string With(string notice, string body) =>
        body.Length + notice.Length + 2 > BodyLimit.MaxBody ? body : notice + "\n\n" + body;
}

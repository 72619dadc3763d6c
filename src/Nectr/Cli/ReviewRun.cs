using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Context;
using Nectr.Engine.Diffs;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.Llm;
using Nectr.Reviews;

namespace Nectr.Cli;

/// <summary>
/// Runs <c>nectr review</c>: the same pipeline as the service, on a diff file, a local git range or a pull request URL.
/// Prints the review; posts it only with <c>--post</c>.
/// </summary>
internal static class ReviewRun
{
    public static Task<int> RunAsync(ReviewArguments command, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        CliHost.RunAsync(CliHost.ForReview, "Review", services => ReviewAsync(command, services, stdout, stderr, cancellationToken), stderr, cancellationToken);

    private static async Task<int> ReviewAsync(ReviewArguments command, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var (request, target, subject) = await LoadAsync(command, services, cancellationToken);
            var context = subject is null
                ? GatheredContext.None(OfflineContext)
                : await services.GetRequiredService<ReviewContextGatherer>().GatherAsync(subject, cancellationToken);
            var result = await services.GetRequiredService<ReviewPipeline>().ReviewAsync(request, context, cancellationToken);
            await stdout.WriteAsync(command.Format == OutputFormat.Json ? CliOutput.Json(request, result) : CliOutput.Markdown(result));
            if (command.Post && target is { } pr)
            {
                await PostAsync(services, pr, request.HeadSha, result, stderr, cancellationToken);
            }

            return command.FailOn is { } threshold && result.Findings.Any(f => f.Severity <= threshold) ? ExitCodes.FindingsAtThreshold : ExitCodes.Ok;
        }
        catch (CliException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return ex.ExitCode;
        }
        catch (LlmException ex)
        {
            await stderr.WriteLineAsync($"The model could not review: {ex.Reason}");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is GitHubApiException or GitHubTokenUnavailableException or HttpRequestException or IOException)
        {
            await stderr.WriteLineAsync(ex.Message);
            return ExitCodes.Failure;
        }
    }

    /// <summary>A diff the engine cannot map to one set of files is a usage error (exit 2), said plainly.</summary>
    private static IReadOnlyList<PullRequestFile> ToFiles(string diff)
    {
        try
        {
            return DiffFiles.ToPullRequestFiles(diff);
        }
        catch (FormatException ex)
        {
            throw new CliException(ExitCodes.UsageOrConfiguration, ex.Message);
        }
    }

    /// <summary>What a diff or a local git range is reviewed without: there is no GitHub repository to ask.</summary>
    internal const string OfflineContext = "offline review of a diff: no linked issues, history or memory";

    private static async Task<(ReviewRequest Request, PullRequestTarget? Target, ReviewSubject? Subject)> LoadAsync(ReviewArguments command, IServiceProvider services, CancellationToken cancellationToken)
    {
        var settings = ReviewPipeline.SettingsFor(services.GetRequiredService<IOptions<ReviewOptions>>().Value);
        switch (command.Source)
        {
            case ReviewSource.DiffFile:
            {
                var diff = command.DiffPath == "-"
                    ? await Console.In.ReadToEndAsync(cancellationToken)
                    : File.Exists(command.DiffPath) ? await File.ReadAllTextAsync(command.DiffPath, cancellationToken)
                    : throw new CliException(ExitCodes.UsageOrConfiguration, $"No such diff file: {command.DiffPath}");
                var files = ToFiles(diff);
                if (files.Count == 0 && !string.IsNullOrWhiteSpace(diff))
                {
                    // An empty diff is an empty change; text that holds no file diff is the wrong input, not a clean review.
                    throw new CliException(ExitCodes.UsageOrConfiguration,
                        $"{(command.DiffPath == "-" ? "Standard input" : command.DiffPath)} holds no unified diff: give the output of `git diff` or `git format-patch` (file sections starting with `diff --git` or `--- a/`).");
                }

                return (new ReviewRequest("local", "diff", 0, Path.GetFileName(command.DiffPath!), "local", 0, files, files.Count, settings), null, null);
            }

            case ReviewSource.LocalGit:
            {
                var dir = Path.GetFullPath(command.RepoDir!);
                if (!Directory.Exists(dir))
                {
                    throw new CliException(ExitCodes.UsageOrConfiguration, $"No such directory: {command.RepoDir}");
                }

                var head = await LocalGit.ResolveAsync(dir, command.HeadRef, cancellationToken);
                await LocalGit.ResolveAsync(dir, command.BaseRef!, cancellationToken);
                var files = ToFiles(await LocalGit.DiffAsync(dir, command.BaseRef!, head, cancellationToken));
                var messages = await LocalGit.CommitMessagesAsync(dir, command.BaseRef!, head, cancellationToken);
                var title = messages.Count > 0 ? messages[^1].Split('\n')[0] : $"{command.BaseRef}...{command.HeadRef}";
                return (new ReviewRequest("local", Path.GetFileName(dir), 0, title, head, 0, files, files.Count, settings) { CommitMessages = messages }, null, null);
            }

            default:
            {
                var webUrl = services.GetRequiredService<IOptions<GitHubOptions>>().Value.WebUrl;
                var target = PullRequestTarget.Parse(command.PullRequestUrl!, webUrl)
                    ?? throw new CliException(ExitCodes.UsageOrConfiguration, $"'{command.PullRequestUrl}' is not a pull request URL on {webUrl.Host} (expected {webUrl}OWNER/REPO/pull/N; set GITHUB_WEB_URL for GitHub Enterprise Server).");
                var github = services.GetRequiredService<IGitHubApi>();
                var pr = await github.GetPullRequestAsync(target.Owner, target.Repo, target.Number, cancellationToken);
                var files = await github.ListPullRequestFilesAsync(target.Owner, target.Repo, target.Number, cancellationToken);
                var request = new ReviewRequest(target.Owner, target.Repo, target.Number, pr.Title, pr.Head.Sha, 0,
                    files.Select(f => new PullRequestFile(f.Filename, f.Status, f.Additions, f.Deletions, f.Patch, f.PreviousFilename)).ToList(),
                    Math.Max(pr.ChangedFiles, files.Count), settings)
                {
                    Description = pr.Body,
                };
                var subject = new ReviewSubject(target.Owner, target.Repo, target.Number, pr.Title, pr.Body, pr.User?.Login, pr.Head.Sha, [.. files.Select(f => f.Filename)]);
                return (request, target, subject);
            }
        }
    }

    private static async Task PostAsync(IServiceProvider services, PullRequestTarget pr, string headSha, ReviewResult result, TextWriter stderr, CancellationToken cancellationToken)
    {
        var publisher = services.GetRequiredService<ReviewPublisher>();
        if (await publisher.FindPostedAsync(pr.Owner, pr.Repo, pr.Number, headSha, cancellationToken) is { } existing)
        {
            await stderr.WriteLineAsync($"Not posted: Nectr already reviewed {pr.Owner}/{pr.Repo}#{pr.Number} at {headSha[..Math.Min(7, headSha.Length)]} ({existing.HtmlUrl}).");
            return;
        }

        var posted = await publisher.PostAsync(pr.Owner, pr.Repo, pr.Number, headSha, result, cancellationToken);
        await stderr.WriteLineAsync(posted.InlinePosted
            ? $"Posted: {posted.Review.HtmlUrl}"
            : $"Posted: {posted.Review.HtmlUrl} (GitHub refused the inline comments, so every finding is in the review body)");
    }
}

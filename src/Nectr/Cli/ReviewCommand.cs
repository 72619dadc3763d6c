using Nectr.Configuration;
using Nectr.Engine.Diffs;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.Llm;
using Nectr.Reviews;

namespace Nectr.Cli;

/// <summary>
/// <c>nectr review</c>: the same pipeline as the service, on a diff file, a local git range or a pull request URL.
/// Prints the review; posts it only with <c>--post</c>.
/// </summary>
internal static class ReviewCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var (command, error) = ReviewCommandLine.Parse(args);
        if (command is null)
        {
            await stderr.WriteLineAsync(error == ReviewCommandLine.Usage ? error : $"{error}\n\n{ReviewCommandLine.Usage}");
            return error == ReviewCommandLine.Usage ? 0 : 2;
        }

        WebApplication app;
        try
        {
            app = BuildServices();
        }
        catch (InvalidConfigurationException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return 2;
        }

        await using (app)
        {
            try
            {
                var (request, target) = await LoadAsync(command, app.Services, cancellationToken);
                // One scope is one review: the LLM client's per-review state lives in it.
                await using var review = app.Services.CreateAsyncScope();
                var result = await review.ServiceProvider.GetRequiredService<ReviewPipeline>().ReviewAsync(request, cancellationToken);
                await stdout.WriteAsync(command.Format == OutputFormat.Json ? CliOutput.Json(request, result) : CliOutput.Markdown(result));
                if (command.Post && target is { } pr)
                {
                    await PostAsync(app.Services, pr, request.HeadSha, result, stderr, cancellationToken);
                }

                return command.FailOn is { } threshold && result.Findings.Any(f => f.Severity <= threshold) ? 1 : 0;
            }
            catch (CliException ex)
            {
                await stderr.WriteLineAsync(ex.Message);
                return ex.ExitCode;
            }
            catch (LlmException ex)
            {
                await stderr.WriteLineAsync($"The model could not review: {ex.Reason}");
                return 3;
            }
            catch (Exception ex) when (ex is GitHubApiException or GitHubTokenUnavailableException or HttpRequestException or IOException)
            {
                await stderr.WriteLineAsync(ex.Message);
                return 3;
            }
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
            throw new CliException(2, ex.Message);
        }
    }

    private static WebApplication BuildServices()
    {
        // The server's configuration and services, without the server: same settings, same engine, same GitHub client.
        var builder = WebApplication.CreateBuilder();
        var options = builder.AddNectrConfiguration();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout carries the review only
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddGitHub(options);
        builder.AddLlm(options);
        builder.Services.AddSingleton<ReviewEngine>();
        builder.Services.AddScoped<AiReviewer>();
        builder.Services.AddScoped<ReviewPipeline>();
        builder.Services.AddSingleton<ReviewPublisher>();
        return builder.Build();
    }

    private static async Task<(ReviewRequest Request, PullRequestTarget? Target)> LoadAsync(ReviewCommandLine command, IServiceProvider services, CancellationToken cancellationToken)
    {
        var settings = ReviewPipeline.SettingsFor(services.GetRequiredService<NectrOptions>());
        switch (command.Source)
        {
            case ReviewSource.DiffFile:
            {
                var diff = command.DiffPath == "-"
                    ? await Console.In.ReadToEndAsync(cancellationToken)
                    : File.Exists(command.DiffPath) ? await File.ReadAllTextAsync(command.DiffPath, cancellationToken)
                    : throw new CliException(2, $"No such diff file: {command.DiffPath}");
                var files = ToFiles(diff);
                return (new ReviewRequest("local", "diff", 0, Path.GetFileName(command.DiffPath!), "local", 0, files, files.Count, settings), null);
            }

            case ReviewSource.LocalGit:
            {
                var dir = Path.GetFullPath(command.RepoDir!);
                if (!Directory.Exists(dir))
                {
                    throw new CliException(2, $"No such directory: {command.RepoDir}");
                }

                var head = await LocalGit.ResolveAsync(dir, command.HeadRef, cancellationToken);
                await LocalGit.ResolveAsync(dir, command.BaseRef!, cancellationToken);
                var files = ToFiles(await LocalGit.DiffAsync(dir, command.BaseRef!, head, cancellationToken));
                var messages = await LocalGit.CommitMessagesAsync(dir, command.BaseRef!, head, cancellationToken);
                var title = messages.Count > 0 ? messages[^1].Split('\n')[0] : $"{command.BaseRef}...{command.HeadRef}";
                return (new ReviewRequest("local", Path.GetFileName(dir), 0, title, head, 0, files, files.Count, settings) { CommitMessages = messages }, null);
            }

            default:
            {
                var options = services.GetRequiredService<NectrOptions>();
                var target = PullRequestTarget.Parse(command.PullRequestUrl!, options.GitHubWebUrl)
                    ?? throw new CliException(2, $"'{command.PullRequestUrl}' is not a pull request URL on {options.GitHubWebUrl.Host} (expected {options.GitHubWebUrl}OWNER/REPO/pull/N; set GITHUB_WEB_URL for GitHub Enterprise Server).");
                var github = services.GetRequiredService<IGitHubApi>();
                var pr = await github.GetPullRequestAsync(target.Owner, target.Repo, target.Number, cancellationToken);
                var files = await github.ListPullRequestFilesAsync(target.Owner, target.Repo, target.Number, cancellationToken);
                var request = new ReviewRequest(target.Owner, target.Repo, target.Number, pr.Title, pr.Head.Sha, 0,
                    files.Select(f => new PullRequestFile(f.Filename, f.Status, f.Additions, f.Deletions, f.Patch, f.PreviousFilename)).ToList(),
                    Math.Max(pr.ChangedFiles, files.Count), settings)
                {
                    Description = pr.Body,
                };
                return (request, target);
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

/// <summary>OWNER/REPO#N parsed from a pull request's web URL.</summary>
internal sealed record PullRequestTarget(string Owner, string Repo, int Number)
{
    public static PullRequestTarget? Parse(Uri url, Uri webUrl)
    {
        if (!string.Equals(url.Host, webUrl.Host, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var basePath = webUrl.AbsolutePath.TrimEnd('/');
        var path = url.AbsolutePath;
        if (!path.StartsWith(basePath + "/", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = path[(basePath.Length + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 4 && parts[2] == "pull" && int.TryParse(parts[3], System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0
            ? new PullRequestTarget(parts[0], parts[1], number)
            : null;
    }
}

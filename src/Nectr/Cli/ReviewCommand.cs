using System.CommandLine;
using System.CommandLine.Parsing;
using Nectr.Engine.Review;

namespace Nectr.Cli;

internal enum ReviewSource { DiffFile, LocalGit, PullRequestUrl }

internal enum OutputFormat { Markdown, Json }

/// <summary>What <c>nectr review</c> was asked to do, once System.CommandLine has parsed and validated it.</summary>
internal sealed record ReviewArguments(
    ReviewSource Source,
    string? DiffPath,
    string? RepoDir,
    string? BaseRef,
    string HeadRef,
    Uri? PullRequestUrl,
    bool Post,
    OutputFormat Format,
    Severity? FailOn);

/// <summary>
/// <c>nectr review</c>: its arguments, options and the rules between them. Help, suggestions and completion come from
/// System.CommandLine; a broken rule is a parse error (exit code 2, see <see cref="NectrCommandLine"/>).
/// </summary>
internal static class ReviewCommand
{
    private static readonly string[] Severities = [.. Enum.GetNames<Severity>().Select(s => s.ToLowerInvariant())];

    public static Command Create()
    {
        var url = new Argument<Uri?>("pull-request-url")
        {
            Description = "Review a pull request on GitHub: https://github.com/OWNER/REPO/pull/N (GITHUB_WEB_URL for Enterprise Server).",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = ParseUrl,
            DefaultValueFactory = _ => null, // no URL: one of the options names the change instead
        };
        // An unknown option is not a URL: leave it unmatched, so the parser names it and suggests the option meant.
        // (Validators run before the parser, and the token given back leaves the argument to its default.)
        url.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: ['-', ..] }])
            {
                result.OnlyTake(0);
            }
        });
        var diff = new Option<string>("--diff") { Description = "Review a unified diff (git diff, git format-patch); - reads standard input.", HelpName = "FILE|-" };
        var repo = new Option<string>("--repo") { Description = "Review BASE...HEAD of a local git repository, as a pull request would show it.", HelpName = "DIR" };
        var baseRef = new Option<string>("--base") { Description = "With --repo: the branch or commit the changes are compared with.", HelpName = "REF" };
        var headRef = new Option<string>("--head") { Description = "With --repo: the commit under review.", HelpName = "REF", DefaultValueFactory = _ => "HEAD" };
        var format = new Option<string>("--format") { Description = "Output: the review as GitHub shows it, or one JSON object.", DefaultValueFactory = _ => "markdown" };
        format.AcceptOnlyFromAmong("markdown", "json");
        var failOn = new Option<string>("--fail-on") { Description = "Exit with code 1 when a finding is at least this severe: critical, high, medium, low or nit.", HelpName = "SEVERITY" };
        failOn.AcceptOnlyFromAmong(Severities);
        var post = new Option<bool>("--post") { Description = "Publish the review on the pull request (pull request URL only); never twice for one head commit." };

        var command = new Command("review", "Review a change with the same pipeline as the server: a diff, a local git range or a pull request. Settings come from the environment and .env as for the server; LLM_PROVIDER=none reviews offline with the built-in checks.")
        {
            url, diff, repo, baseRef, headRef, format, failOn, post,
        };
        command.Validators.Add(result =>
        {
            bool Given(Option option) => result.GetResult(option) is { Implicit: false };
            var hasUrl = result.GetResult(url) is { Tokens: [{ Value: not ['-', ..] }] }; // an unknown option is given back, above
            if (new[] { Given(diff), Given(repo), hasUrl }.Count(x => x) != 1)
            {
                result.AddError("Give exactly one of --diff FILE|-, --repo DIR --base REF, or a pull request URL.");
            }
            else if (Given(repo) && !Given(baseRef))
            {
                result.AddError("--repo needs --base REF (the branch or commit the changes are compared with).");
            }
            else if ((Given(baseRef) || Given(headRef)) && !Given(repo))
            {
                result.AddError("--base and --head only go with --repo DIR.");
            }
            else if (result.GetValue(post) && !hasUrl)
            {
                result.AddError("--post publishes on a pull request, so it needs the pull request URL.");
            }
        });

        command.SetAction((parse, cancellationToken) =>
        {
            var source = parse.GetValue(diff) is not null ? ReviewSource.DiffFile : parse.GetValue(repo) is not null ? ReviewSource.LocalGit : ReviewSource.PullRequestUrl;
            var threshold = parse.GetValue(failOn) is { } name ? Enum.Parse<Severity>(name, ignoreCase: true) : (Severity?)null;
            var arguments = new ReviewArguments(
                source, parse.GetValue(diff), parse.GetValue(repo), parse.GetValue(baseRef), parse.GetValue(headRef) ?? "HEAD", parse.GetValue(url),
                parse.GetValue(post), parse.GetValue(format) == "json" ? OutputFormat.Json : OutputFormat.Markdown, threshold);
            return ReviewRun.RunAsync(arguments, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static Uri? ParseUrl(ArgumentResult result)
    {
        var text = result.Tokens[0].Value;
        if (!text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            result.AddError($"'{text}' is not a pull request URL (https://github.com/OWNER/REPO/pull/N).");
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            result.AddError($"'{text}' is not a valid URL.");
        }

        return url;
    }
}

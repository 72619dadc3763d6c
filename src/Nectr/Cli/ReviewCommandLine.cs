using System.Globalization;
using Nectr.Engine.Review;

namespace Nectr.Cli;

internal enum ReviewSource { DiffFile, LocalGit, PullRequestUrl }

internal enum OutputFormat { Markdown, Json }

/// <summary>The parsed arguments of <c>nectr review</c>; <see cref="Parse"/> returns an error message instead of throwing.</summary>
internal sealed record ReviewCommandLine(
    ReviewSource Source,
    string? DiffPath,
    string? RepoDir,
    string? BaseRef,
    string HeadRef,
    Uri? PullRequestUrl,
    bool Post,
    OutputFormat Format,
    Severity? FailOn)
{
    public const string Usage = """
        usage: nectr review --diff FILE|-                       review a unified diff (git diff, git format-patch)
               nectr review --repo DIR --base REF [--head REF]  review REF...HEAD of a local git repository
               nectr review https://github.com/OWNER/REPO/pull/N [--post]
        options:
               --format markdown|json   output (default markdown)
               --fail-on SEVERITY       exit 1 when a finding is at least this severe (critical|high|medium|low|nit)
               --post                   publish the review on the pull request (URL form only)
        Settings come from the environment and .env as for the server; LLM_PROVIDER=none reviews offline with
        the built-in checks. Exit codes: 0 reviewed, 1 --fail-on matched, 2 usage or configuration error, 3 failure.
        """;

    public static (ReviewCommandLine? Command, string? Error) Parse(IReadOnlyList<string> args)
    {
        string? diff = null, repo = null, baseRef = null, head = null, format = null, failOn = null;
        Uri? url = null;
        var post = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? Value() => i + 1 < args.Count ? args[++i] : null;
            switch (arg)
            {
                case "--diff": diff = Value() ?? ""; break;
                case "--repo": repo = Value() ?? ""; break;
                case "--base": baseRef = Value() ?? ""; break;
                case "--head": head = Value() ?? ""; break;
                case "--format": format = Value() ?? ""; break;
                case "--fail-on": failOn = Value() ?? ""; break;
                case "--post": post = true; break;
                case "-h" or "--help": return (null, Usage);
                default:
                    if (arg.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || arg.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                    {
                        if (!Uri.TryCreate(arg, UriKind.Absolute, out url))
                        {
                            return (null, $"'{arg}' is not a valid URL.");
                        }

                        break;
                    }

                    return (null, $"Unknown argument '{arg}'.");
            }
        }

        if (format is not (null or "markdown" or "json"))
        {
            return (null, $"--format must be markdown or json, not '{format}'.");
        }

        Severity? threshold = null;
        if (failOn is not null)
        {
            if (!Enum.TryParse<Severity>(failOn, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(failOn, CultureInfo.InvariantCulture, out _))
            {
                return (null, $"--fail-on must be one of critical, high, medium, low, nit, not '{failOn}'.");
            }

            threshold = parsed;
        }

        var sources = new[] { diff is not null, repo is not null, url is not null }.Count(x => x);
        if (sources != 1)
        {
            return (null, "Give exactly one of --diff FILE|-, --repo DIR --base REF, or a pull request URL.");
        }

        if (repo is not null && string.IsNullOrEmpty(baseRef))
        {
            return (null, "--repo needs --base REF (the branch or commit the changes are compared with).");
        }

        if ((baseRef is not null || head is not null) && repo is null)
        {
            return (null, "--base and --head only go with --repo DIR.");
        }

        if (post && url is null)
        {
            return (null, "--post publishes on a pull request, so it needs the pull request URL.");
        }

        if (diff == "" || repo == "" || head == "")
        {
            return (null, "An option is missing its value.");
        }

        var source = diff is not null ? ReviewSource.DiffFile : repo is not null ? ReviewSource.LocalGit : ReviewSource.PullRequestUrl;
        var output = format == "json" ? OutputFormat.Json : OutputFormat.Markdown;
        return (new ReviewCommandLine(source, diff, repo, baseRef, head ?? "HEAD", url, post, output, threshold), null);
    }
}

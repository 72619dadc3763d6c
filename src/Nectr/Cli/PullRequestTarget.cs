namespace Nectr.Cli;

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

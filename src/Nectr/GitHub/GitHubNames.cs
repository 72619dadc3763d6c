namespace Nectr.GitHub;

/// <summary>
/// What a GitHub owner and repository name may look like: the one rule for names that reach the database or a URL,
/// whether they arrive in a webhook payload or in a request to connect a repository.
/// </summary>
internal static class GitHubNames
{
    /// <summary>Logins are at most 39 characters; Enterprise Managed Users add "_shortcode", hence some headroom and '_'.</summary>
    public const int MaxOwnerLength = 64;

    public const int MaxRepositoryLength = 100;

    /// <summary>1–64 letters, digits, '-' or '_'.</summary>
    public static bool IsOwner(ReadOnlySpan<char> owner)
    {
        if (owner.Length is 0 or > MaxOwnerLength)
        {
            return false;
        }

        foreach (var c in owner)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>1–100 letters, digits, '.', '-' or '_', and not "." or "..".</summary>
    public static bool IsRepository(ReadOnlySpan<char> repo)
    {
        if (repo.Length is 0 or > MaxRepositoryLength || repo is "." or "..")
        {
            return false;
        }

        foreach (var c in repo)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '.' and not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>owner/repository, each as above.</summary>
    public static bool IsFullName(string fullName)
    {
        var slash = fullName.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && IsOwner(fullName.AsSpan(0, slash)) && IsRepository(fullName.AsSpan(slash + 1));
    }
}

using System.Text;

namespace Nectr.Issues;

/// <summary>
/// Untrusted issue text made storable and bounded. PostgreSQL refuses NUL in text, and Npgsql's strict UTF-8 encoder a
/// lone surrogate: either would fail the whole write it is part of (a webhook batch, a backfill page), so both are
/// removed here, and the text is cut at a bound without splitting a surrogate pair.
/// </summary>
internal static class IssueText
{
    public static string Storable(string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        for (var i = 0; i < text.Length && builder.Length < maxLength; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (builder.Length + 2 > maxLength)
                {
                    break;
                }

                builder.Append(c).Append(text[++i]);
            }
            else if (c != '\0' && !char.IsSurrogate(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A login as GitHub allows one (at most 39 characters, no control characters); anything else is dropped, not cut.</summary>
    public static string Login(string? login) =>
        login is { Length: > 0 and <= Data.IssueModel.MaxLoginLength } && !login.Any(c => char.IsControl(c) || char.IsSurrogate(c)) ? login : "";

    /// <summary>Label names one per line, each cleaned, the whole bounded to what the column holds (whole names only).</summary>
    public static string Labels(IEnumerable<string> names)
    {
        var builder = new StringBuilder();
        foreach (var name in names)
        {
            var clean = Storable(name, 100).Replace('\n', ' ').Replace('\r', ' ').Trim();
            if (clean.Length == 0 || builder.Length + clean.Length + 1 > Data.IssueModel.MaxLabelsLength)
            {
                continue;
            }

            builder.Append(builder.Length == 0 ? "" : "\n").Append(clean);
        }

        return builder.ToString();
    }
}

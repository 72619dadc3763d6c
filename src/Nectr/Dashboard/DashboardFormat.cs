using System.Globalization;

namespace Nectr.Dashboard;

/// <summary>How the dashboard writes dates, money, verdicts and severities, the same on every page.</summary>
internal static class DashboardFormat
{
    public static string When(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string Cost(decimal? usd) => usd is { } value ? value.ToString("$0.0000", CultureInfo.InvariantCulture) : "—";

    /// <summary>A duration in the unit that reads best: seconds under two minutes, minutes under two hours, else hours; "—" when unknown.</summary>
    public static string Duration(double? seconds) => seconds switch
    {
        null => "—",
        < 120 => $"{seconds.Value.ToString("0", CultureInfo.InvariantCulture)} s",
        < 7200 => $"{(seconds.Value / 60).ToString("0.#", CultureInfo.InvariantCulture)} min",
        _ => $"{(seconds.Value / 3600).ToString("0.#", CultureInfo.InvariantCulture)} h",
    };

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Verdict(string verdict) => verdict switch
    {
        "approve" => "Approve",
        "request_changes" => "Request changes",
        "needs_discussion" => "Needs discussion",
        _ => verdict,
    };

    /// <summary>A CSS class per verdict, shared by badges and chart segments.</summary>
    public static string VerdictClass(string verdict) => verdict switch
    {
        "approve" => "v-approve",
        "request_changes" => "v-changes",
        "needs_discussion" => "v-discuss",
        _ => "v-other",
    };

    public static string SeverityClass(string severity) => "sev-" + severity.ToLowerInvariant() switch
    {
        "critical" or "high" or "medium" or "low" => severity.ToLowerInvariant(),
        _ => "info",
    };

    public static string ShortSha(string sha) => sha.Length > 7 ? sha[..7] : sha;

    /// <summary>A repository path for a URL: each of owner and name escaped on its own.</summary>
    public static string RepoPath(string fullName) =>
        string.Join('/', fullName.Split('/', 2).Select(Uri.EscapeDataString));
}

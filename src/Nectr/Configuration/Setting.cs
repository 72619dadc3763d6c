using System.Globalization;

namespace Nectr.Configuration;

/// <summary>
/// How configured text becomes a value. Options classes bind the text as it was written (so a typo cannot make binding
/// throw) and read their typed values through these settings; their validators report through the same settings, so
/// a value, its default and the message that says how to fix it are written once.
/// </summary>
internal static class Setting
{
    /// <summary>Whitespace around a value is a typo, and an empty value means "not set".</summary>
    public static string? Text(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : raw.Trim();
}

/// <summary>A whole number from <paramref name="Min"/> to <paramref name="Max"/>.</summary>
internal sealed record IntSetting(string Key, int Fallback, int Min, int Max)
{
    public int Read(string? raw) => Parse(Setting.Text(raw)) ?? Fallback;

    public void Check(string? raw, List<string> errors)
    {
        if (Setting.Text(raw) is { } text && Parse(text) is null)
        {
            errors.Add($"{Key} '{text}' must be a whole number from {Min} to {Max} (default {Fallback}).");
        }
    }

    private int? Parse(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= Min && value <= Max ? value : null;
}

/// <summary>A duration written in seconds (fractions allowed), from <paramref name="Min"/> to <paramref name="Max"/>.</summary>
internal sealed record SecondsSetting(string Key, double Fallback, double Min, double Max)
{
    public TimeSpan Read(string? raw) => TimeSpan.FromSeconds(Parse(Setting.Text(raw)) ?? Fallback);

    public void Check(string? raw, List<string> errors)
    {
        if (Setting.Text(raw) is { } text && Parse(text) is null)
        {
            errors.Add($"{Key} '{text}' must be a number of seconds from {Min} to {Max} (default {Fallback}).");
        }
    }

    private double? Parse(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= Min && value <= Max ? value : null;
}

/// <summary>true/false, also 1/0, yes/no, on/off.</summary>
internal sealed record BoolSetting(string Key, bool Fallback)
{
    public bool Read(string? raw) => Parse(Setting.Text(raw)) ?? Fallback;

    public void Check(string? raw, List<string> errors)
    {
        if (Setting.Text(raw) is { } text && Parse(text) is null)
        {
            errors.Add($"{Key} '{text}' must be true or false (default {(Fallback ? "true" : "false")}).");
        }
    }

    private static bool? Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => null,
    };
}

/// <summary>An absolute http(s) URL, read with a trailing slash so relative request paths append to it.</summary>
internal sealed record UrlSetting(string Key, string? Fallback)
{
    public Uri? Read(string? raw) => Parse(Setting.Text(raw) ?? Fallback) ?? (Fallback is null ? null : new Uri(Fallback));

    public void Check(string? raw, List<string> errors)
    {
        if (Setting.Text(raw) is { } text && Parse(text) is null)
        {
            errors.Add($"{Key} '{text}' must be an absolute http(s) URL{(Fallback is null ? "" : $" (default {Fallback})")}.");
        }
    }

    private static Uri? Parse(string? text)
    {
        if (text is null || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        // A trailing slash makes relative request paths append instead of replacing the last segment (GHES: /api/v3/).
        return text.EndsWith('/') ? uri : new Uri(text + "/");
    }
}

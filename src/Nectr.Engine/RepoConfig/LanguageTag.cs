using System.Text.RegularExpressions;

namespace Nectr.Engine.RepoConfig;

/// <summary>
/// A short BCP 47-like language tag for the review text: "de", "pt-BR", "zh-Hant". Only such tags reach the system
/// prompt, so the setting cannot carry sentences.
/// </summary>
public static partial class LanguageTag
{
    public const string Pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$";

    public static bool IsValid(string? tag) => tag is not null && Tag().IsMatch(tag);

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Tag();
}

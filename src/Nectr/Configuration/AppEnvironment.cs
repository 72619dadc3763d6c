namespace Nectr.Configuration;

/// <summary>
/// APP_ENV, the one switch between production and development. Options classes whose rules are stricter in
/// production bind it too and read it through here, so every class agrees on what "production" means.
/// </summary>
internal static class AppEnvironment
{
    public const string Key = "APP_ENV";
    public const string Production = "production";
    public const string Development = "development";
    public const string Test = "test";
    public const string Accepted = "production (or prod), development (or dev), or test";

    /// <summary><c>production</c>, <c>development</c> or <c>test</c>; null for a value Nectr does not know.</summary>
    public static string? Normalise(string? raw) => Setting.Text(raw)?.ToLowerInvariant() switch
    {
        null or "development" or "dev" => Development,
        "production" or "prod" => Production,
        "test" => Test,
        _ => null,
    };

    /// <summary>An unknown APP_ENV is refused by <see cref="HostingOptions"/>' validator; meanwhile it is not production.</summary>
    public static bool IsProduction(string? raw) => Normalise(raw) == Production;
}

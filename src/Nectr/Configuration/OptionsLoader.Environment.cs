namespace Nectr.Configuration;

/// <summary>
/// APP_ENV, the one switch between production and development. The ASP.NET Core host environment is derived from it
/// (see <see cref="NectrOptions.HostEnvironment"/>), so an ASPNETCORE_ENVIRONMENT or DOTNET_ENVIRONMENT that says
/// otherwise is refused instead of leaving two environments that disagree.
/// </summary>
internal static partial class OptionsLoader
{
    private const string AcceptedAppEnvs = "production (or prod), development (or dev), or test";

    private static string AppEnv(IConfiguration config, List<string> errors)
    {
        var raw = Text(config, "APP_ENV");
        var appEnv = raw?.ToLowerInvariant() switch
        {
            null or "development" or "dev" => "development",
            "production" or "prod" => "production",
            "test" => "test",
            _ => null,
        };
        if (appEnv is null)
        {
            // Running an unknown value as development would drop every production safeguard without a word.
            errors.Add($"APP_ENV '{raw}' is not an environment Nectr knows; use {AcceptedAppEnvs}.");
            return "development";
        }

        foreach (var key in (string[])["ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"])
        {
            if (Text(config, key) is { } host && !Agrees(appEnv, host))
            {
                errors.Add($"{key}={host} contradicts APP_ENV={raw ?? "development (the default)"}: Nectr derives the host environment from APP_ENV. "
                    + $"Unset {key}, or set APP_ENV to what you mean ({AcceptedAppEnvs}).");
            }
        }

        return appEnv;
    }

    /// <summary>The ASP.NET Core environment names that mean the same as an APP_ENV value.</summary>
    private static bool Agrees(string appEnv, string hostEnvironment) => appEnv switch
    {
        "production" => hostEnvironment.Equals("Production", StringComparison.OrdinalIgnoreCase),
        "development" => hostEnvironment.Equals("Development", StringComparison.OrdinalIgnoreCase),
        // The test suite's mode is development-like; a developer's exported ASPNETCORE_ENVIRONMENT=Development is no contradiction.
        _ => ((string[])["Test", "Testing", "Development"]).Contains(hostEnvironment, StringComparer.OrdinalIgnoreCase),
    };
}

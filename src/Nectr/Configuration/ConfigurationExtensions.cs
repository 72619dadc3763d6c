using System.Text.Json;
using Nectr.Health;

namespace Nectr.Configuration;

internal static class ConfigurationExtensions
{
    /// <summary>
    /// Loads <c>.env</c> below the real environment, validates every setting (throwing
    /// <see cref="InvalidConfigurationException"/> with all fixes), and registers the result.
    /// </summary>
    public static NectrOptions AddNectrConfiguration(this IHostApplicationBuilder builder)
    {
        DotEnvConfigurationSource.InsertBelowEnvironment(builder.Configuration, Path.Combine(Directory.GetCurrentDirectory(), ".env"));
        var options = OptionsLoader.Load(builder.Configuration);
        // APP_ENV is the one switch: the host environment follows it (OptionsLoader refuses an ASPNETCORE_ENVIRONMENT that disagrees).
        builder.Environment.EnvironmentName = options.HostEnvironment;

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new StartTime(DateTimeOffset.UtcNow));
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

        builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true));
        // Framework chatter (every SQL command, every request) stays out unless LOG_LEVEL asks for Debug.
        var frameworkLevel = Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true) <= LogLevel.Debug ? LogLevel.Debug : LogLevel.Warning;
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", frameworkLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", frameworkLevel);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", frameworkLevel);

        // PORT applies to the server (not the command line's host) unless the operator chose addresses explicitly (ASPNETCORE_URLS or --urls).
        if (builder is WebApplicationBuilder web && string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            web.WebHost.UseUrls($"http://0.0.0.0:{options.Port}");
        }

        return options;
    }
}

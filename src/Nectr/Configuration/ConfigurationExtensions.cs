using System.Text.Json;
using Nectr.Health;

namespace Nectr.Configuration;

internal static class ConfigurationExtensions
{
    /// <summary>
    /// Loads <c>.env</c> below the real environment, registers every options class and validates them all (throwing
    /// <see cref="InvalidConfigurationException"/> with every fix), and returns what the composition root needs early.
    /// </summary>
    public static StartupOptions AddNectrConfiguration(this IHostApplicationBuilder builder)
    {
        DotEnvConfigurationSource.InsertBelowEnvironment(builder.Configuration, Path.Combine(Directory.GetCurrentDirectory(), ".env"));
        var options = NectrConfiguration.Load(builder.Configuration);
        builder.Services.AddNectrOptions(builder.Configuration);
        var hosting = options.Hosting;
        // APP_ENV is the one switch: the host environment follows it (HostingOptions refuses an ASPNETCORE_ENVIRONMENT that disagrees).
        builder.Environment.EnvironmentName = hosting.HostEnvironment;

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new StartTime(DateTimeOffset.UtcNow));
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

        var level = Enum.Parse<LogLevel>(hosting.LogLevel, ignoreCase: true);
        builder.Logging.SetMinimumLevel(level);
        // Framework chatter (every SQL command, every request) stays out unless LOG_LEVEL asks for Debug.
        var frameworkLevel = level <= LogLevel.Debug ? LogLevel.Debug : LogLevel.Warning;
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", frameworkLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", frameworkLevel);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", frameworkLevel);

        // PORT applies to the server (not the command line's host) unless the operator chose addresses explicitly (ASPNETCORE_URLS or --urls).
        if (builder is WebApplicationBuilder web && string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            web.WebHost.UseUrls($"http://0.0.0.0:{hosting.ListenPort}");
        }

        return options;
    }
}

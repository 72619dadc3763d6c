namespace Nectr.Dashboard;

/// <summary>
/// The team dashboard: Razor components rendered on the server (static SSR: no interactivity, no JavaScript, no Node
/// build). Pages read the database through <see cref="DashboardQueries"/>, scoped to what the signed-in user may see.
/// </summary>
internal static class DashboardExtensions
{
    private const string StylesheetResource = "Nectr.Dashboard.nectr.css";

    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.Services.AddScoped<DashboardQueries>();
        builder.Services.AddScoped<SettingsReport>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        // The one stylesheet is embedded in the assembly, so the dashboard looks the same whatever the working directory.
        var css = ReadStylesheet();
        app.MapGet("/nectr.css", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return TypedResults.Text(css, "text/css; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapDashboardForms();
        app.MapMemoryForms();
        app.MapRazorComponents<App>();
        return app;
    }

    private static string ReadStylesheet()
    {
        using var stream = typeof(DashboardExtensions).Assembly.GetManifestResourceStream(StylesheetResource)
            ?? throw new InvalidOperationException($"The embedded resource {StylesheetResource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

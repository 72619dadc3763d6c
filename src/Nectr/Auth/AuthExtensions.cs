using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Nectr.Configuration;

namespace Nectr.Auth;

internal static class AuthExtensions
{
    public const string SessionCookie = "__Host-nectr";
    public const string AntiforgeryCookie = "__Host-nectr-af";
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    /// <summary>
    /// Cookie sessions, antiforgery, and the Data Protection key ring in the database, encrypted with the certificate of
    /// <paramref name="keyRing"/> when it names one (tools that only mint test cookies pass none).
    /// </summary>
    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder, KeyRingOptions? keyRing = null)
    {
        var services = builder.Services;
        services.AddDataProtection().SetApplicationName("Nectr").ProtectKeysWithConfiguredCertificate(keyRing);
        services.AddSingleton<DatabaseKeyRing>();
        services.AddSingleton<UserTokens>();
        services.AddSingleton<OAuthState>();
        services.AddSingleton<KeyRingHealth>();
        services.AddScoped<OAuthSignIn>();
        // Sign-in calls GitHub with the user's token, never the service's: a client of its own, without the service's auth handler.
        services.AddHttpClient<GitHubOAuthClient>(http =>
        {
            http.Timeout = TimeSpan.FromSeconds(30);
            http.DefaultRequestHeaders.UserAgent.Add(new System.Net.Http.Headers.ProductInfoHeaderValue("Nectr", typeof(GitHubOAuthClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        });
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = sp.GetRequiredService<DatabaseKeyRing>()));

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                // __Host-: Secure, Path=/, no Domain, so no other host or path can set or read it. Secure whenever the
                // request is HTTPS (directly or through a proxy in FORWARDED_ALLOW_IPS); over plain HTTP (development on
                // http://localhost) PlainHttpCookies carries it without the prefix. Production refuses plain HTTP.
                cookie.Cookie.Name = SessionCookie;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.Path = "/";
                cookie.ExpireTimeSpan = TimeSpan.FromDays(7);
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/signin";
                cookie.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
            });
        services.AddAuthorization();
        services.AddAntiforgery(af =>
        {
            af.Cookie.Name = AntiforgeryCookie;
            // Always would make antiforgery throw ("not an SSL request") on every form over plain HTTP; see the session cookie.
            af.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            af.Cookie.SameSite = SameSiteMode.Strict;
            af.HeaderName = AntiforgeryHeader;
        });
        return builder;
    }

    /// <summary>APIs answer 401/403; pages redirect to the sign-in page.</summary>
    private static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/auth"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}

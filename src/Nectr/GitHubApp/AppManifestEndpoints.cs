using Nectr.Auth;

namespace Nectr.GitHubApp;

/// <summary>
/// <c>GET /settings/github-app/callback</c>, where GitHub sends the browser back after the user created the App from
/// Nectr's manifest. Any signed-in user may complete what they started (the state binds it to their browser and
/// account); the App is created on GitHub under their own account or organisation, with their rights there.
/// </summary>
internal static partial class AppManifestEndpoints
{
    public static IEndpointRouteBuilder MapAppManifest(this IEndpointRouteBuilder app)
    {
        app.MapGroup(AppManifest.CallbackPath).RequireNectrUser(SignInAgain).MapGet("", CallbackAsync);
        return app;
    }

    private static async Task<IResult> CallbackAsync(
        HttpContext context, NectrUser user, AppManifestState state, AppManifestConversion conversion, AppManifestStore store,
        ILogger<AppManifestConversion> logger, string? code, CancellationToken cancellationToken)
    {
        var check = state.Complete(context, user.Id, context.Request.Query["state"]);
        if (check != ManifestStateCheck.Valid)
        {
            Log.StateRefused(logger, user.Id, check);
            return TypedResults.Problem(
                "This link did not come back to the browser and account that opened GitHub's page from Nectr, or it is over an hour old, so no App was created here. "
                + "Start again from Settings → GitHub App.",
                statusCode: StatusCodes.Status400BadRequest, title: "GitHub App not created");
        }

        if (string.IsNullOrEmpty(code) || code.Length > 100 || !code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return TypedResults.Problem("GitHub sent no usable code. Start again from Settings → GitHub App.",
                statusCode: StatusCodes.Status400BadRequest, title: "GitHub App not created");
        }

        if (await conversion.ConvertAsync(code, cancellationToken) is not { } converted)
        {
            return Redirect(context, "/settings/github-app?notice=conversion_failed");
        }

        var created = await store.SaveAsync(converted, user.Id, cancellationToken);
        Log.Created(logger, created.Slug, created.AppId, user.Id);
        return Redirect(context, "/settings/github-app?notice=created");
    }

    // 303: the browser follows with a GET, so reloading the result does not replay the callback.
    private static IResult Redirect(HttpContext context, string location)
    {
        context.Response.Headers.Location = location;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult SignInAgain() => TypedResults.Problem("Sign in to Nectr, then start again from Settings → GitHub App.",
        statusCode: StatusCodes.Status401Unauthorized, title: "Sign in again");

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Refused a GitHub App manifest callback for user {UserId}: state {Check}")]
        public static partial void StateRefused(ILogger logger, long userId, ManifestStateCheck check);

        [LoggerMessage(2, LogLevel.Information, "Created GitHub App {Slug} ({AppId}) from Nectr's manifest for user {UserId}")]
        public static partial void Created(ILogger logger, string slug, long appId, long userId);
    }
}

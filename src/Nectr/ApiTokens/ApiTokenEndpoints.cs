using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Nectr.Auth;

namespace Nectr.ApiTokens;

/// <summary>
/// <c>POST|GET /api/v1/tokens</c>, <c>DELETE /api/v1/tokens/{id}</c>: the signed-in user's personal API tokens, with
/// the session and antiforgery like every other state-changing call. The work is in <see cref="ApiTokenStore"/>.
/// </summary>
internal static class ApiTokenEndpoints
{
    public static IHostApplicationBuilder AddApiTokens(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiTokenStore>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        return builder;
    }

    public static IEndpointRouteBuilder MapApiTokens(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/tokens").RequireNectrUser(TypedResults.Unauthorized);
        group.MapGet("", async (NectrUser user, ApiTokenStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(await store.ListAsync(user.Id, cancellationToken)));
        // Antiforgery is checked in the handlers (as in MemoryEndpoints) so the refusal is this API's ProblemDetails.
        group.MapPost("", CreateAsync);
        group.MapDelete("/{id:long}", RevokeAsync);

        // The dashboard's Revoke button (the page, Dashboard/Pages/ApiTokens.razor, creates tokens itself: it shows the new one).
        app.MapGroup("/tokens").RequireNectrUser(Antiforgery.Rejected).DisableAntiforgery() // validated in the handler
            .MapPost("/{id:long}/revoke", RevokeFormAsync);
        return app;
    }

    private static async Task<Results<Created<CreatedApiToken>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, ApiTokenStore store, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        CreateTokenRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<CreateTokenRequest>(cancellationToken);
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (ApiTokenStore.ValidName(request?.Name, out var problem) is not { } name)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [problem!] });
        }

        if (await store.LimitProblemAsync(user.Id, cancellationToken) is { } full)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many API tokens", detail: full);
        }

        var created = await store.CreateAsync(user.Id, name, cancellationToken);
        return TypedResults.Created($"/api/v1/tokens/{created.Id}", created);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, ApiTokenStore store, long id, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        // Another user's token and no token look the same.
        return await store.RevokeAsync(user.Id, id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Token not found", detail: $"You have no API token {id}.");
    }

    private static async Task<IResult> RevokeFormAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, ApiTokenStore store, long id, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        var notice = await store.RevokeAsync(user.Id, id, cancellationToken) ? "revoked" : "not_found";
        // 303 See Other: the browser follows with a GET, so reloading the page does not post again.
        context.Response.Headers.Location = "/tokens?notice=" + notice;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }
}

internal sealed record CreateTokenRequest(string? Name);

namespace Nectr.Auth;

/// <summary>
/// The signed-in user, as a handler parameter: endpoints take <c>NectrUser user</c> instead of each reading the
/// session's claims. Groups that take it call <see cref="NectrUserEndpoints.RequireNectrUser"/>, which answers before
/// the handler runs when the session names no Nectr user.
/// </summary>
internal sealed record NectrUser(long Id)
{
    /// <summary>
    /// No user: never reaches a handler, because the group's filter answers first. Binding still succeeds with it: a
    /// failed binding is a 400 (or, in development, an exception) before any filter runs. Were it ever to reach a query,
    /// no repository is visible to it.
    /// </summary>
    private static readonly NectrUser None = new(-1);

    /// <summary>Minimal APIs bind the parameter with this.</summary>
    public static ValueTask<NectrUser?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<NectrUser?>(context.User.NectrUserId() is { } id ? new NectrUser(id) : None);
}

internal static class NectrUserEndpoints
{
    /// <summary>
    /// Requires a session, and answers <paramref name="refusal"/> for one that names no Nectr user, before the handler runs.
    /// </summary>
    public static RouteGroupBuilder RequireNectrUser(this RouteGroupBuilder group, Func<IResult> refusal)
    {
        group.RequireAuthorization().AddEndpointFilter(Require(refusal));
        return group;
    }

    /// <summary>The filter alone, for a single endpoint.</summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Require(Func<IResult> refusal) =>
        (context, next) => context.HttpContext.User.NectrUserId() is null ? ValueTask.FromResult<object?>(refusal()) : next(context);
}

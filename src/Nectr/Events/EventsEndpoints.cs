using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Nectr.Auth;
using Nectr.Data;
using Nectr.Reviews;

namespace Nectr.Events;

/// <summary><c>GET /api/v1/events[/{id}]</c> and <c>POST /api/v1/events/{id}/retry</c>: deliveries, outcomes, parked jobs.</summary>
internal static class EventsEndpoints
{
    public static IHostApplicationBuilder AddEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ActivityLog>();
        return builder;
    }

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/events").RequireNectrUser(TypedResults.Unauthorized);
        group.MapGet("", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        // Antiforgery is checked in the handler (as in AuthEndpoints) so the refusal is this API's ProblemDetails.
        group.MapPost("/{id:long}/retry", RetryAsync);
        return app;
    }

    private static async Task<Results<Ok<PageOf<EventView>>, ValidationProblem>> ListAsync(
        NectrUser user,
        ReviewReadModel reads,
        string? repo,
        string? outcome,
        string? @event,
        int? page,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "per_page")] int? perPage,
        CancellationToken cancellationToken)
    {
        DeliveryOutcome? parsed = null;
        if (outcome is not null)
        {
            if (!EventFilter.Outcomes.Contains(outcome) || !Enum.TryParse<DeliveryOutcome>(outcome, ignoreCase: true, out var value))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["outcome"] = [$"Use one of: {string.Join(", ", EventFilter.Outcomes)}."],
                });
            }

            parsed = value;
        }

        var filter = new EventFilter { Repo = repo, Outcome = parsed, Event = @event, Page = PageRequest.From(page, perPage) };
        return TypedResults.Ok(await reads.ActivityAsync(user.Id, filter, cancellationToken));
    }

    private static async Task<Results<Ok<EventView>, ProblemHttpResult>> GetAsync(
        NectrUser user, ReviewReadModel reads, long id, CancellationToken cancellationToken)
    {
        return await reads.DeliveryAsync(user.Id, id, cancellationToken) is { } view ? TypedResults.Ok(view) : NotFound(id);
    }

    private static async Task<Results<Accepted<EventView>, ProblemHttpResult>> RetryAsync(
        HttpContext context, NectrUser user, ActivityLog log, ReviewReadModel reads, IAntiforgery antiforgery, long id, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        return await log.RetryAsync(user.Id, id, cancellationToken) switch
        {
            RetryResult.Requeued => TypedResults.Accepted($"/api/v1/events/{id}", await reads.DeliveryAsync(user.Id, id, cancellationToken)),
            RetryResult.NotParked => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not parked",
                detail: $"Event {id} has no parked job to retry: only a job that gave up after its last attempt can be re-queued."),
            _ => NotFound(id),
        };
    }

    // Not visible and not there look the same: a 403 would confirm that a private repository has deliveries.
    private static ProblemHttpResult NotFound(long id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Event not found", detail: $"No event {id} in the repositories you can see.");
}

using Microsoft.AspNetCore.Http.HttpResults;
using Nectr.Auth;
using Nectr.Data;

namespace Nectr.Reviews;

/// <summary><c>GET /api/v1/reviews</c> and <c>GET /api/v1/reviews/{id}</c>: the caller's review history.</summary>
internal static class ReviewsEndpoints
{
    public static IHostApplicationBuilder AddReviewHistory(this IHostApplicationBuilder builder)
    {
        // The one read model of reviews and activity, for the API and the dashboard alike.
        builder.Services.AddSingleton<ReviewReadModel>();
        return builder;
    }

    public static IEndpointRouteBuilder MapReviews(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/reviews").RequireNectrUser(TypedResults.Unauthorized);
        group.MapGet("", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        return app;
    }

    private static async Task<Results<Ok<PageOf<ReviewSummary>>, ValidationProblem>> ListAsync(
        NectrUser user,
        ReviewReadModel reads,
        string? repo,
        string? verdict,
        string? state,
        string? q,
        int? page,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "per_page")] int? perPage,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (verdict is not null && !ReviewFilter.Verdicts.Contains(verdict))
        {
            errors["verdict"] = [$"Use one of: {string.Join(", ", ReviewFilter.Verdicts)}."];
        }

        var liveState = LiveStateNames.Parse(state);
        if (state is not null && liveState is null)
        {
            errors["state"] = ["Use one of: open, closed, merged."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var filter = new ReviewFilter { Repo = repo, Verdict = verdict, State = liveState, Query = q, Page = PageRequest.From(page, perPage) };
        return TypedResults.Ok(await reads.ReviewsAsync(user.Id, filter, cancellationToken));
    }

    private static async Task<Results<Ok<ReviewDetail>, ProblemHttpResult>> GetAsync(
        NectrUser user, ReviewReadModel reads, long id, CancellationToken cancellationToken)
    {
        // Not visible and not there look the same: a 403 would confirm that a private repository has reviews.
        return await reads.ReviewAsync(user.Id, id, liveState: true, cancellationToken) is { } review ? TypedResults.Ok(review)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Review not found", detail: $"No review {id} in the repositories you can see.");
    }
}

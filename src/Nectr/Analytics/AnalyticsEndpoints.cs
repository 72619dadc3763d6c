using Microsoft.AspNetCore.Http.HttpResults;
using Nectr.Auth;

namespace Nectr.Analytics;

/// <summary>
/// <c>GET /api/v1/analytics/{summary,timeline,insights,contributors,graph}</c>: the caller's analytics through
/// <see cref="AnalyticsQueries"/> (the MCP tools call the same). A repository the caller cannot see is
/// 404 exactly like one that does not exist; a query value out of range is 400 with the accepted values.
/// </summary>
internal static class AnalyticsEndpoints
{
    public static IHostApplicationBuilder AddAnalytics(this IHostApplicationBuilder builder)
    {
        // Scoped: the graph reads GitHub through the request's client (and its retry budget).
        builder.Services.AddScoped<GitHubContributorStats>();
        builder.Services.AddScoped<AnalyticsQueries>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/analytics").RequireNectrUser(TypedResults.Unauthorized);
        group.MapGet("/summary", SummaryAsync);
        group.MapGet("/timeline", TimelineAsync);
        group.MapGet("/insights", InsightsAsync);
        group.MapGet("/contributors", ContributorsAsync);
        group.MapGet("/graph", GraphAsync);
        return app;
    }

    private static async Task<Results<Ok<SummaryView>, ValidationProblem, ProblemHttpResult>> SummaryAsync(
        NectrUser user, AnalyticsQueries queries, string? repo, string? author, string? days, CancellationToken cancellationToken)
    {
        var (filter, problem) = await FilterAsync(user, queries, repo, author, days, timeline: false, cancellationToken);
        return filter is null ? Refuse<SummaryView>(problem!) : TypedResults.Ok(await queries.SummaryAsync(user.Id, filter, cancellationToken));
    }

    private static async Task<Results<Ok<TimelineView>, ValidationProblem, ProblemHttpResult>> TimelineAsync(
        NectrUser user, AnalyticsQueries queries, string? repo, string? author, string? days, CancellationToken cancellationToken)
    {
        var (filter, problem) = await FilterAsync(user, queries, repo, author, days, timeline: true, cancellationToken);
        return filter is null ? Refuse<TimelineView>(problem!) : TypedResults.Ok(await queries.TimelineAsync(user.Id, filter, cancellationToken));
    }

    private static async Task<Results<Ok<InsightsView>, ValidationProblem, ProblemHttpResult>> InsightsAsync(
        NectrUser user, AnalyticsQueries queries, string? repo, string? author, string? days, CancellationToken cancellationToken)
    {
        var (filter, problem) = await FilterAsync(user, queries, repo, author, days, timeline: false, cancellationToken);
        return filter is null ? Refuse<InsightsView>(problem!) : TypedResults.Ok(await queries.InsightsAsync(user.Id, filter, cancellationToken));
    }

    private static async Task<Results<Ok<ContributorStatsView>, ValidationProblem, ProblemHttpResult>> ContributorsAsync(
        NectrUser user, AnalyticsQueries queries, string? repo, string? days, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        RequireRepo(repo, errors);
        var period = Days(days, timeline: false, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await queries.ContributorStatsAsync(user.Id, repo!, period, cancellationToken) is { } stats ? TypedResults.Ok(stats) : NotFound(repo!);
    }

    private static async Task<Results<Ok<RepoGraphView>, ValidationProblem, ProblemHttpResult>> GraphAsync(
        NectrUser user, AnalyticsQueries queries, string? repo, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        RequireRepo(repo, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await queries.GraphAsync(user.Id, repo!, cancellationToken) is { } graph ? TypedResults.Ok(graph) : NotFound(repo!);
    }

    /// <summary>The filter of summary, timeline and insights; or why not (400 for bad values, 404 for a repository out of sight).</summary>
    private static async Task<(AnalyticsFilter? Filter, IResult? Problem)> FilterAsync(
        NectrUser user, AnalyticsQueries queries, string? repo, string? author, string? days, bool timeline, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var period = Days(days, timeline, errors);
        if (repo is not null && !LooksLikeRepo(repo))
        {
            errors["repo"] = ["Use owner/name, e.g. octo-org/api."];
        }

        if (author is not null && !Nectr.GitHub.GitHubNames.IsOwner(author))
        {
            errors["author"] = ["Use a GitHub login (letters, digits, hyphens)."];
        }

        if (errors.Count > 0)
        {
            return (null, TypedResults.ValidationProblem(errors));
        }

        string? name = null;
        if (repo is not null && (name = await queries.VisibleRepositoryAsync(user.Id, repo, cancellationToken)) is null)
        {
            return (null, NotFound(repo));
        }

        return (new AnalyticsFilter(name, author, period), null);
    }

    private static int Days(string? text, bool timeline, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return AnalyticsQueries.DefaultDays;
        }

        var ok = int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days);
        if (timeline && !(ok && AnalyticsQueries.TimelineDays.Contains(days)))
        {
            errors["days"] = [$"Use one of: {string.Join(", ", AnalyticsQueries.TimelineDays)}."];
        }
        else if (!timeline && !(ok && days is >= 1 and <= AnalyticsQueries.MaxDays))
        {
            errors["days"] = [$"Use a whole number of days from 1 to {AnalyticsQueries.MaxDays}."];
        }

        return days;
    }

    private static void RequireRepo(string? repo, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(repo))
        {
            errors["repo"] = ["Name the repository: ?repo=owner/name."];
        }
        else if (!LooksLikeRepo(repo))
        {
            errors["repo"] = ["Use owner/name, e.g. octo-org/api."];
        }
    }

    private static bool LooksLikeRepo(string repo) =>
        repo.Split('/') is [var owner, var name] && Nectr.GitHub.GitHubNames.IsOwner(owner) && Nectr.GitHub.GitHubNames.IsRepository(name);

    private static ProblemHttpResult NotFound(string repo) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Repository not found", detail: $"No repository {repo} among the repositories you can see.");

    private static Results<Ok<T>, ValidationProblem, ProblemHttpResult> Refuse<T>(IResult problem) => problem switch
    {
        ValidationProblem validation => validation,
        ProblemHttpResult other => other,
        _ => throw new InvalidOperationException("Unexpected refusal " + problem.GetType().Name),
    };
}

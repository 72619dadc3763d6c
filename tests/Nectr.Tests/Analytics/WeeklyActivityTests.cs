using Microsoft.Extensions.DependencyInjection;
using Nectr.Analytics;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Analytics;

/// <summary><see cref="AnalyticsQueries.WeeklyActivityAsync"/> on both databases over <see cref="AnalyticsSeed"/>.</summary>
public sealed class WeeklyActivityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Weekly_activity_buckets_each_authors_reviews_into_twelve_weeks_ending_today_and_is_scoped(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);
        using var scope = seed.App.Services.CreateScope();
        var queries = scope.ServiceProvider.GetRequiredService<AnalyticsQueries>();

        var weekly = await queries.WeeklyActivityAsync(seed.AliceId, "ACME/api", Ct);

        Assert.NotNull(weekly);
        Assert.Equal(AnalyticsSeed.Repo, weekly.Repo);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1 - 7 * AnalyticsQueries.ActivityWeeks), weekly.FirstDay);
        // carol: reviews 1 and 2 days ago (this week); dave: one 40 days ago, day 43 of 84, so week 6 (from 0).
        Assert.Equal(["carol", "dave"], weekly.People.Select(p => p.Login));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], weekly.People[0].Reviews);
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0], weekly.People[1].Reviews);
        Assert.Null(await queries.WeeklyActivityAsync(seed.BobId, AnalyticsSeed.Repo, Ct));
        Assert.Null(await queries.WeeklyActivityAsync(seed.AliceId, AnalyticsSeed.BobRepo, Ct));
        var bobs = await queries.WeeklyActivityAsync(seed.BobId, AnalyticsSeed.BobRepo, Ct);
        Assert.Equal(["erin"], bobs!.People.Select(p => p.Login));
    }
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Health;

/// <summary>
/// /health/ready is public (load balancers probe it): it says ready or not and why, but names a repository with
/// failing webhook signatures only to a signed-in user who can see that repository.
/// </summary>
public sealed class ReadyScopingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Anonymous_ready_names_no_repository_but_says_that_some_failed_and_where_to_look(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database);
        await app.QueryAsync(DashboardSeed.SeedAsync);
        using var anonymous = app.CreateClient();

        var body = await anonymous.GetStringAsync("/health/ready", Ct);

        Assert.DoesNotContain("acme/", body, StringComparison.Ordinal);
        Assert.DoesNotContain("other/", body, StringComparison.Ordinal);
        Assert.Contains(Warnings(body), w => w.Contains("some connected repositories failed signature verification", StringComparison.Ordinal)
            && w.Contains("sign in", StringComparison.Ordinal));
        Assert.Equal("ready", Status(body));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_signed_in_user_sees_the_names_of_failing_repositories_they_can_see_and_no_others(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database);
        await app.QueryAsync(DashboardSeed.SeedAsync);
        // The repository mona cannot see fails too.
        await app.QueryAsync(db => db.Repositories.Where(r => r.FullName == DashboardSeed.Hidden)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.SignatureFailures, 2).SetProperty(r => r.LastSignatureFailureAt, DateTime.UtcNow), Ct));
        var (mona, _) = await app.SignedInClientAsync(DashboardSeed.Login, DashboardSeed.GitHubId);
        var (stranger, _) = await app.SignedInClientAsync("stranger", 4242);
        using var __ = mona;
        using var ___ = stranger;

        var hers = await mona.GetStringAsync("/health/ready", Ct);
        var theirs = await stranger.GetStringAsync("/health/ready", Ct);

        Assert.Contains(Warnings(hers), w => w.StartsWith($"{DashboardSeed.Failing}: 3 webhook delivery(ies) failed signature verification", StringComparison.Ordinal));
        Assert.DoesNotContain(DashboardSeed.Hidden, hers, StringComparison.Ordinal);
        Assert.Contains(Warnings(hers), w => w.Contains("some connected repositories", StringComparison.Ordinal));
        Assert.DoesNotContain("acme/", theirs, StringComparison.Ordinal);
        Assert.DoesNotContain("other/", theirs, StringComparison.Ordinal);
    }

    private static List<string> Warnings(string body)
    {
        using var ready = JsonDocument.Parse(body);
        return ready.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
    }

    private static string Status(string body)
    {
        using var ready = JsonDocument.Parse(body);
        return ready.RootElement.GetProperty("status").GetString()!;
    }
}

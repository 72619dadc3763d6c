using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Nectr.Data;
using Nectr.GitHubApp;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHubApp;

/// <summary>Installation tokens: fetched with the App's JWT, cached, refreshed five minutes before expiry, one fetch at a time.</summary>
public sealed class InstallationTokenTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _github.Clock = _clock;
        TestGitHubApp.EnableOn(_github, "octo-org/payments");
        _database = await TestDatabase.CreateAsync("sqlite");
        _app = new NectrApp(_database, _github.ApiUrl, settings: TestGitHubApp.Settings(more: ("REVIEW_CONCURRENCY", "0"))) { Clock = _clock };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    private int TokenPosts => _github.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/access_tokens", StringComparison.Ordinal));

    private InstallationTokens Tokens => _app.Services.GetRequiredService<InstallationTokens>();

    [Fact]
    public async Task One_token_serves_many_calls_and_a_new_one_is_fetched_five_minutes_before_it_expires()
    {
        var tokens = Tokens;
        var first = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            first.Add(await tokens.TokenAsync(TestGitHubApp.InstallationId, Ct));
        }

        _clock.Advance(TimeSpan.FromMinutes(55) - TimeSpan.FromSeconds(1));
        var stillCached = await tokens.TokenAsync(TestGitHubApp.InstallationId, Ct);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await tokens.TokenAsync(TestGitHubApp.InstallationId, Ct);

        var issued = _github.IssuedTokens;
        Assert.Equal(2, TokenPosts);
        Assert.Equal([issued[0].Token], first.Distinct());
        Assert.Equal(issued[0].Token, stillCached);
        Assert.Equal(issued[1].Token, refreshed);
        Assert.True(_clock.GetUtcNow() < issued[0].ExpiresAt, "the refresh happened before the old token expired");
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Concurrent_callers_of_a_due_token_share_one_refresh()
    {
        var tokens = Tokens;
        await tokens.TokenAsync(TestGitHubApp.InstallationId, Ct);
        _clock.Advance(TimeSpan.FromMinutes(56));
        var gate = _github.StallNext(r => r.Path.EndsWith("/access_tokens", StringComparison.Ordinal));

        var callers = Enumerable.Range(0, 20).Select(_ => tokens.TokenAsync(TestGitHubApp.InstallationId, Ct).AsTask()).ToList();
        await gate.Entered.WaitAsync(Wait, Ct);
        gate.Release();
        var results = await Task.WhenAll(callers).WaitAsync(Wait, Ct);

        Assert.Equal(2, TokenPosts);
        Assert.Equal([_github.IssuedTokens[1].Token], results.Distinct());
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_repository_installation_is_asked_of_GitHub_once_written_back_and_a_recorded_one_is_used_without_asking()
    {
        await _app.QueryAsync(async db =>
        {
            db.Repositories.Add(new RepositoryRecord { FullName = "octo-org/payments", GitHubId = 1, CreatedAt = DateTime.UtcNow });
            db.Repositories.Add(new RepositoryRecord { FullName = "octo-org/ledger", GitHubId = 2, CreatedAt = DateTime.UtcNow, InstallationId = 77 });
            return await db.SaveChangesAsync(Ct);
        });
        var tokens = Tokens;

        var asked = await tokens.InstallationForAsync("octo-org", "payments", Ct);
        var again = await tokens.InstallationForAsync("octo-org", "payments", Ct);
        var recorded = await tokens.InstallationForAsync("octo-org", "ledger", Ct);
        var notInstalled = await tokens.InstallationForAsync("octo-org", "elsewhere", Ct);

        Assert.Equal((TestGitHubApp.InstallationId, TestGitHubApp.InstallationId, 77L), (asked, again, recorded));
        Assert.Null(notInstalled);
        Assert.Equal(["/repos/octo-org/payments/installation", "/repos/octo-org/elsewhere/installation"], _github.Requests.Where(r => r.Path.EndsWith("/installation", StringComparison.Ordinal)).Select(r => r.Path));
        var stored = await _app.QueryAsync(db => db.Repositories.AsNoTracking().Where(r => r.FullName == "octo-org/payments").Select(r => r.InstallationId).SingleAsync(Ct));
        Assert.Equal(TestGitHubApp.InstallationId, stored);
        _github.AssertNoUnexpectedCalls();
    }
}

using Microsoft.Extensions.Logging;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Nectr.ApiTokens;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.McpServer;

/// <summary>
/// Nectr on Kestrel over loopback (the Node client needs a real port), seeded with <see cref="DashboardSeed"/>: Mona
/// (user A) sees acme/api and acme/web; Bob (user B) sees only <see cref="DashboardSeed.Hidden"/>, which has a review
/// and an indexed pull request of its own. Each has an API token minted by <see cref="ApiTokenStore"/>.
/// </summary>
internal sealed class McpSite : IAsyncDisposable
{
    public const string ExpertFile = "orders.py";
    public const string BobsFile = "vault.py";

    private TestDatabase _database = null!;

    public NectrApp App { get; private set; } = null!;
    public Uri Address { get; private set; } = null!;
    public DashboardSeed.Ids Seed { get; private set; } = null!;
    public long BobId { get; private set; }
    public string MonaToken { get; private set; } = null!;
    public string BobToken { get; private set; } = null!;
    public long MonaTokenId { get; private set; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<McpSite> StartAsync(string provider, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        var site = new McpSite { _database = await TestDatabase.CreateAsync(provider) };
        var all = new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["urls"] = "http://127.0.0.1:0" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        site.App = new NectrApp(site._database, settings: all, logs: logs);
        site.App.UseKestrel();
        site.App.StartServer();
        site.Address = new Uri(site.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        site.Seed = await site.App.QueryAsync(DashboardSeed.SeedAsync);
        site.BobId = await site.App.QueryAsync(async db =>
        {
            var bob = new UserRecord { GitHubId = 777, Login = "bob", CreatedAt = DateTime.UtcNow, LastLoginAt = DateTime.UtcNow };
            db.Users.Add(bob);
            await db.SaveChangesAsync(Ct);
            db.UserRepositories.Add(new UserRepositoryAccess { UserId = bob.Id, RepositoryFullName = DashboardSeed.Hidden, GitHubRepoId = 1003, RefreshedAt = DateTime.UtcNow });
            await IndexAsync(db, DashboardSeed.Connected, 40, "octocat", ExpertFile);
            await IndexAsync(db, DashboardSeed.Hidden, 6, "secret-author", BobsFile);
            await db.SaveChangesAsync(Ct);
            return bob.Id;
        });
        var tokens = site.App.Services.GetRequiredService<ApiTokenStore>();
        var mona = await tokens.CreateAsync(site.Seed.User.Id, "mona's agent", Ct);
        (site.MonaToken, site.MonaTokenId) = (mona.Token, mona.Id);
        site.BobToken = (await tokens.CreateAsync(site.BobId, "bob's agent", Ct)).Token;
        return site;
    }

    private static async Task IndexAsync(NectrDb db, string repo, int number, string author, string path)
    {
        var pr = new PullRequestRecord { RepositoryFullName = repo, Number = number, Title = "Change", AuthorLogin = author, State = "merged", HeadSha = "abc", UpdatedAtMs = 1 };
        db.PullRequests.Add(pr);
        await db.SaveChangesAsync(Ct);
        db.PullRequestFiles.Add(new PullRequestFileRecord { PullRequestId = pr.Id, RepositoryFullName = repo, Path = path });
    }

    /// <summary>A client on the real port, with no credentials.</summary>
    public HttpClient Client() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Runs tests/node/mcp-client-check.mjs (the official TypeScript SDK client) and returns its report.</summary>
    public async Task<JsonElement> ClientCheckAsync(string transport, string token, object plan)
    {
        var outcome = await NodeTools.RunAsync(NodeTools.Node(),
            [NodeTools.Script("mcp-client-check.mjs"), Address.ToString(), transport, JsonSerializer.Serialize(plan)],
            new Dictionary<string, string> { ["NECTR_MCP_TOKEN"] = token }, TimeSpan.FromSeconds(60), Ct);
        Assert.True(outcome.ExitCode == 0, $"mcp-client-check.mjs exited {outcome.ExitCode}: {outcome.Stderr}");
        return JsonDocument.Parse(outcome.Stdout).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _database.DisposeAsync();
    }
}

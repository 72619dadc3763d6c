using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Knowledge;
using Nectr.Sync;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Repos;

namespace Nectr.Tests.Sync;

/// <summary>Connecting a repository queues its background sync; a failure to queue never fails the connection.</summary>
public sealed class ConnectStartsSyncTests
{
    private const string Owner = "octo";
    private const string Name = "synced";

    private sealed class BrokenTask : IRepositorySyncTask
    {
        public string Kind => throw new InvalidOperationException("this task cannot even say its name");

        public Task<string?> StepAsync(string repositoryFullName, string? cursor, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Connecting_a_repository_queues_the_knowledge_backfill(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var kit = await RepoTestKit.StartAsync(database);
        using var admin = await kit.UserAsync("octocat", 583231);
        kit.GitHub.Grant(RepoTestKit.TokenOf("octocat"), kit.GitHub.AddRepository(Owner, Name, 7001), admin: true);

        var answer = await RepoTestKit.ConnectAsync(admin, $"{Owner}/{Name}");

        Assert.Equal("connected", answer.GetProperty("status").GetString());
        var job = await kit.App.QueryAsync(db => db.SyncJobs.AsNoTracking().SingleAsync(j => j.Kind == KnowledgeBackfill.KindName));
        Assert.Equal(($"{Owner}/{Name}", KnowledgeBackfill.KindName, SyncJobStatus.Queued), (job.RepositoryFullName, job.Kind, job.Status));
    }

    [Fact]
    public async Task Connecting_still_succeeds_when_the_sync_cannot_be_queued()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var kit = await RepoTestKit.StartAsync(database, services: s => s.AddScoped<IRepositorySyncTask, BrokenTask>());
        using var admin = await kit.UserAsync("octocat", 583231);
        kit.GitHub.Grant(RepoTestKit.TokenOf("octocat"), kit.GitHub.AddRepository(Owner, Name, 7001), admin: true);

        var answer = await RepoTestKit.ConnectAsync(admin, $"{Owner}/{Name}");

        Assert.Equal("connected", answer.GetProperty("status").GetString());
        Assert.True(await kit.App.QueryAsync(db => db.Repositories.AnyAsync(r => r.FullName == $"{Owner}/{Name}" && r.Connected)));
        Assert.Equal(0, await kit.App.QueryAsync(db => db.SyncJobs.CountAsync()));
    }
}

using Microsoft.EntityFrameworkCore;
using Nectr.ApiTokens;
using Nectr.Data;

namespace Nectr.Benchmarks.LoadDriver;

/// <summary>The benchmark's API token, minted by Nectr's own token store (as the API tokens page does).</summary>
internal static class McpSeedToken
{
    public static async Task<string> CreateAsync(DbContextOptions<SqliteNectrDb> options, long userId)
    {
        var store = new ApiTokenStore(new Factory(options), TimeProvider.System);
        return (await store.CreateAsync(userId, "bench", CancellationToken.None)).Token;
    }

    private sealed class Factory(DbContextOptions<SqliteNectrDb> options) : IDbContextFactory<NectrDb>
    {
        public NectrDb CreateDbContext() => new SqliteNectrDb(options);
    }
}

using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Benchmarks.LoadDriver;

/// <summary>PRE-MERGE STAND-IN (replaced by Nectr's token store once h-mcps is merged): writes an api_tokens row in its schema.</summary>
internal static class McpSeedToken
{
    public static async Task<string> CreateAsync(DbContextOptions<SqliteNectrDb> options, long userId)
    {
        var publicId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var token = $"nectr_{publicId}_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_')}";
        await using var db = new SqliteNectrDb(options);
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE IF NOT EXISTS api_tokens (Id INTEGER PRIMARY KEY, PublicId TEXT NOT NULL UNIQUE, UserId INTEGER NOT NULL, Name TEXT NOT NULL, SecretHash BLOB NOT NULL, CreatedAt TEXT NOT NULL, LastUsedAt TEXT NULL, RevokedAt TEXT NULL)");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO api_tokens (PublicId, UserId, Name, SecretHash, CreatedAt) VALUES ({0}, {1}, 'bench', {2}, {3})",
            publicId, userId, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), DateTime.UtcNow);
        return token;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.ApiTokens;

/// <summary>
/// The one owner of <c>api_tokens</c>: mints personal API tokens (<c>nectr_&lt;public id&gt;_&lt;secret&gt;</c>), lists and
/// revokes a user's own, and checks a presented token. Only the SHA-256 of the whole token is stored, so the hash is
/// prefixed by the token's own public id; the token itself exists only in the one answer that creates it.
/// </summary>
internal sealed class ApiTokenStore(IDbContextFactory<NectrDb> dbs, TimeProvider time)
{
    public const string Prefix = "nectr_";

    /// <summary>A token's last use is written at most this often, so a burst of requests is not a burst of writes.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>Live (unrevoked) tokens one user may hold: one per agent and machine is a handful; unbounded, a script could fill the table.</summary>
    public const int MaxLivePerUser = 50;

    /// <summary>How long a revoked token stays listed, marked, so its owner can see what was cut off and when; after that its row goes at the owner's next revoke.</summary>
    public static readonly TimeSpan RevokedListedFor = TimeSpan.FromDays(30);

    /// <summary>Revoked tokens kept per user, the most recently revoked: creating and revoking in a loop must not grow the table without end.</summary>
    public const int MaxRevokedKept = 50;

    private const int PublicIdBytes = 8;
    private const int SecretBytes = 32;

    public async Task<CreatedApiToken> CreateAsync(long userId, string name, CancellationToken cancellationToken)
    {
        var publicId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PublicIdBytes));
        var token = Prefix + publicId + "_" + Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        var record = new ApiTokenRecord
        {
            PublicId = publicId,
            UserId = userId,
            Name = name,
            SecretHash = Hash(token),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        db.ApiTokens.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiToken(record.Id, record.Name, token);
    }

    /// <summary>Why the user may not create another token now (they hold <see cref="MaxLivePerUser"/> live ones), or null.</summary>
    public async Task<string?> LimitProblemAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var live = await db.ApiTokens.CountAsync(t => t.UserId == userId && t.RevokedAt == null, cancellationToken);
        return live < MaxLivePerUser
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"You hold {live} live API tokens, the most one user may: revoke one you no longer use, then create the new one.");
    }

    /// <summary>
    /// The user's tokens, newest first, never the token or its hash: the live ones and those revoked in the last
    /// <see cref="RevokedListedFor"/> (marked).
    /// </summary>
    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(long userId, CancellationToken cancellationToken)
    {
        var listedSince = time.GetUtcNow().UtcDateTime - RevokedListedFor;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.ApiTokens.AsNoTracking()
            .Where(t => t.UserId == userId && (t.RevokedAt == null || t.RevokedAt >= listedSince))
            .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
            .Select(t => new { t.Id, t.Name, t.PublicId, t.CreatedAt, t.LastUsedAt, t.RevokedAt })
            .ToListAsync(cancellationToken);
        return rows.Select(t => new ApiTokenView(
            t.Id, t.Name, Prefix + t.PublicId, Utc(t.CreatedAt), t.LastUsedAt is { } used ? Utc(used) : null,
            t.RevokedAt is { } revoked ? Utc(revoked) : null)).ToList();
    }

    /// <summary>Revokes one of the user's own tokens; false when the user has no such token (another user's id included).</summary>
    public async Task<bool> RevokeAsync(long userId, long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var mine = await db.ApiTokens.AnyAsync(t => t.Id == id && t.UserId == userId, cancellationToken);
        if (!mine)
        {
            return false;
        }

        // Revoking twice keeps the first time.
        await db.ApiTokens.Where(t => t.Id == id && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        await DeleteOldRevokedAsync(db, userId, now, cancellationToken);
        return true;
    }

    /// <summary>
    /// Deletes the user's tokens revoked more than <see cref="RevokedListedFor"/> ago and all but the
    /// <see cref="MaxRevokedKept"/> most recently revoked: a revoked token authenticates nothing, so it is kept only
    /// for its owner's list. Runs whenever the user revokes one, so their revoked rows stay bounded.
    /// </summary>
    private static async Task DeleteOldRevokedAsync(NectrDb db, long userId, DateTime now, CancellationToken cancellationToken)
    {
        var listedSince = now - RevokedListedFor;
        var kept = db.ApiTokens.Where(t => t.UserId == userId && t.RevokedAt != null && t.RevokedAt >= listedSince)
            .OrderByDescending(t => t.RevokedAt).ThenByDescending(t => t.Id).Take(MaxRevokedKept).Select(t => t.Id);
        await db.ApiTokens.Where(t => t.UserId == userId && t.RevokedAt != null && !kept.Contains(t.Id))
            .ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// The live token's owner, or null for a malformed, unknown or revoked token (all look the same to the caller).
    /// Records the use when the last one is older than <see cref="LastUsedResolution"/>.
    /// </summary>
    public async Task<ApiTokenOwner?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (PublicIdOf(token) is not { } publicId)
        {
            return null;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var row = await db.ApiTokens.AsNoTracking()
            .Where(t => t.PublicId == publicId)
            .Select(t => new { t.Id, t.UserId, t.SecretHash, t.LastUsedAt, t.RevokedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null || !CryptographicOperations.FixedTimeEquals(Hash(token), row.SecretHash) || row.RevokedAt is not null)
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (row.LastUsedAt is not { } used || now - used >= LastUsedResolution)
        {
            var stale = now - LastUsedResolution;
            // Conditional, so concurrent requests of one token write once.
            await db.ApiTokens.Where(t => t.Id == row.Id && (t.LastUsedAt == null || t.LastUsedAt <= stale))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }

        return new ApiTokenOwner(row.Id, row.UserId);
    }

    /// <summary>The public id of a well-formed token (<c>nectr_</c>, 16 hex digits, <c>_</c>, the secret), else null.</summary>
    internal static string? PublicIdOf(string token)
    {
        const int idLength = PublicIdBytes * 2;
        if (token.Length < Prefix.Length + idLength + 2 || token.Length > 200 || !token.StartsWith(Prefix, StringComparison.Ordinal)
            || token[Prefix.Length + idLength] != '_')
        {
            return null;
        }

        var id = token.Substring(Prefix.Length, idLength);
        return id.All(char.IsAsciiHexDigitLower) ? id : null;
    }

    internal static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    /// <summary>Checks a token name from the API or the dashboard; null with the reason when it is not usable.</summary>
    public static string? ValidName(string? name, out string? problem)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > ApiTokenRecord.MaxNameLength || trimmed.Any(char.IsControl))
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"Give the token a name of 1 to {ApiTokenRecord.MaxNameLength} characters (no control characters), e.g. \"Claude Desktop\".");
            return null;
        }

        problem = null;
        return trimmed;
    }
}

/// <summary>A new token: the only time <paramref name="Token"/> is ever shown.</summary>
internal sealed record CreatedApiToken(long Id, string Name, string Token);

/// <summary>A token as listed: <paramref name="Prefix"/> is its public part, enough to recognise it, useless to sign in.</summary>
internal sealed record ApiTokenView(long Id, string Name, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt);

internal sealed record ApiTokenOwner(long TokenId, long UserId);

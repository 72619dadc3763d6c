using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Auth;

/// <summary>Users' GitHub tokens, encrypted at rest with Data Protection; read only to call GitHub on the user's behalf.</summary>
internal sealed class UserTokens(IDbContextFactory<NectrDb> dbs, IDataProtectionProvider protection)
{
    public const string ProtectorPurpose = "Nectr.UserToken.v1";
    private readonly IDataProtector _protector = protection.CreateProtector(ProtectorPurpose);

    public string Protect(string token) => _protector.Protect(token);

    /// <summary>The user's token, or null when there is none or it can no longer be decrypted (sign in again).</summary>
    public async Task<string?> GetAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var stored = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.AccessTokenProtected).FirstOrDefaultAsync(cancellationToken);
        if (stored is null)
        {
            return null;
        }

        try
        {
            return _protector.Unprotect(stored);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.Auth;

/// <summary>
/// The server half of a sign-in whose state already checked out: code → token, token → GitHub user, the allow-list,
/// and only then the user row with the encrypted token. A refused user leaves nothing behind.
/// </summary>
internal sealed partial class OAuthSignIn(
    GitHubOAuthClient gitHub,
    IDbContextFactory<NectrDb> dbs,
    DbWriteGate writeGate,
    UserTokens tokens,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<OAuthSignIn> logger)
{
    private static readonly Polly.ResiliencePipeline UpsertConflicts = WriteConflicts.RetryAtOnce(1, ex => ex is DbUpdateException);

    public async Task<SignInOutcome> CompleteAsync(string code, string redirectUri, string codeVerifier, CancellationToken cancellationToken)
    {
        var exchange = await gitHub.ExchangeCodeAsync(code, redirectUri, codeVerifier, cancellationToken);
        if (exchange.AccessToken is not { } token)
        {
            Log.ExchangeRefused(logger, exchange.Error!);
            return new SignInOutcome.ExchangeRefused(exchange.Error!, exchange.ErrorDescription);
        }

        var user = await gitHub.GetUserAsync(token, cancellationToken);
        var allowed = await AllowListAsync(user.Login, token, cancellationToken);
        if (allowed is not AllowListResult.Allowed)
        {
            Log.NotAllowed(logger, user.Login);
            return new SignInOutcome.NotAllowed(user.Login, allowed);
        }

        var record = await UpsertAsync(user, token, exchange.Scopes ?? "", cancellationToken);
        Log.SignedIn(logger, user.Login, record.Id);
        return new SignInOutcome.SignedIn(record);
    }

    private async Task<AllowListResult> AllowListAsync(string login, string token, CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (auth.AllowsEveryone || auth.AllowedUsers.Contains(login))
        {
            return AllowListResult.Allowed;
        }

        var result = AllowListResult.NotListed;
        foreach (var org in auth.AllowedOrgs.Order(StringComparer.OrdinalIgnoreCase))
        {
            switch (await gitHub.GetOrgMembershipAsync(token, org, cancellationToken))
            {
                case OrgMembership.Active:
                    return AllowListResult.Allowed;
                case OrgMembership.Pending:
                    result = AllowListResult.InvitationPending;
                    break;
                case OrgMembership.Restricted when result == AllowListResult.NotListed:
                    result = AllowListResult.OrgRestricted;
                    break;
                default:
                    break;
            }
        }

        return result;
    }

    private async Task<UserRecord> UpsertAsync(OAuthUser user, string token, string scopes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        using var _ = await writeGate.EnterAsync(cancellationToken);
        // Another instance may insert the same GitHub user a moment before us (GitHubId is unique): the retry updates that row.
        return await UpsertConflicts.ExecuteAsync(async ct =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var record = await db.Users.FirstOrDefaultAsync(u => u.GitHubId == user.Id, ct);
            if (record is null)
            {
                record = new UserRecord { GitHubId = user.Id, Login = user.Login, CreatedAt = now };
                db.Users.Add(record);
            }

            record.Login = user.Login;
            record.Name = user.Name;
            record.AvatarUrl = user.AvatarUrl;
            record.LastLoginAt = now;
            record.AccessTokenProtected = tokens.Protect(token);
            record.Scopes = scopes;
            await db.SaveChangesAsync(ct);
            return record;
        }, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "GitHub user {Login} signed in as Nectr user {UserId}")]
        public static partial void SignedIn(ILogger logger, string login, long userId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub user {Login} is not on the allow-list (AUTH_ALLOWED_USERS / AUTH_ALLOWED_ORGS); no session was created")]
        public static partial void NotAllowed(ILogger logger, string login);

        [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub refused the OAuth code exchange: {Error}")]
        public static partial void ExchangeRefused(ILogger logger, string error);
    }
}

internal enum AllowListResult { Allowed, NotListed, InvitationPending, OrgRestricted }

/// <summary>How a sign-in ended once the state was valid.</summary>
internal abstract record SignInOutcome
{
    private SignInOutcome()
    {
    }

    public sealed record SignedIn(UserRecord User) : SignInOutcome;

    public sealed record NotAllowed(string Login, AllowListResult Reason) : SignInOutcome;

    public sealed record ExchangeRefused(string Error, string? Description) : SignInOutcome;
}

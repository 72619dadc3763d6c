using Nectr.Data;

namespace Nectr.Auth;

/// <summary>
/// The one rule for every read of reviews and events: a user sees rows of the repositories GitHub last said they can
/// see (<see cref="UserRepositoryAccess"/>), and nothing else: not even public repositories they never listed.
/// </summary>
internal static class RepositoryScope
{
    /// <summary>The full names the user may see, as a subquery the database joins against.</summary>
    public static IQueryable<string> VisibleTo(this NectrDb db, long userId) =>
        db.UserRepositories.Where(a => a.UserId == userId).Select(a => a.RepositoryFullName);
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Nectr.Data;

/// <summary>
/// Sets SQLite's <c>synchronous</c> on every connection Nectr opens (it is per connection, not stored in the file).
/// In WAL mode <c>NORMAL</c> writes each commit to the WAL without an fsync: a commit survives a crash or SIGKILL of
/// the process, because the bytes are already in the operating system's page cache, but the last commits before a
/// power loss or kernel crash can be lost. <c>FULL</c> (<c>SQLITE_SYNCHRONOUS_FULL=true</c>) fsyncs every commit and
/// survives that too, at the cost of one fsync per intake batch. <paramref name="otherPragmas"/> follow it on each
/// connection (<see cref="SqliteCheckpointer.ConnectionPragma"/>).
/// </summary>
internal sealed class SqliteSynchronous(bool full, string otherPragmas) : DbConnectionInterceptor
{
    private readonly string _pragma = (full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;") + otherPragmas;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        command.ExecuteNonQuery();
    }
}

using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Npgsql;

namespace Nectr.Data;

/// <summary>
/// Start-up's first contact with the database. Containers start together, so an unreachable PostgreSQL is waited
/// for (DATABASE_WAIT_SECONDS, with a log line per attempt); what cannot get better by waiting, or is still wrong
/// when the wait is over, becomes one message naming DATABASE_URL and the host:port, never the password.
/// </summary>
internal static partial class DatabaseStartup
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    /// <summary>Null once the database accepts a connection; otherwise the reason start-up must stop.</summary>
    public static async Task<string?> WaitUntilReachableAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var factory = services.GetRequiredService<IDbContextFactory<NectrDb>>();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseStartup).FullName!);
        var settings = options.Connection;
        var deadline = time.GetUtcNow() + options.Wait;
        while (true)
        {
            string reason;
            try
            {
                // The raw connection: EF's retrying strategy would wrap the cause and log each failure as an error.
                await using var db = await factory.CreateDbContextAsync(cancellationToken);
                var connection = db.Database.GetDbConnection();
                await connection.OpenAsync(cancellationToken);
                await connection.CloseAsync();
                return null;
            }
            catch (PostgresException ex) when (!IsTransient(ex))
            {
                return Refused(settings, ex);
            }
            catch (SqliteException ex)
            {
                return $"DATABASE_URL points at {settings.Display}, which SQLite cannot open ({ex.Message}). Create the directory and let the user Nectr runs as write to it, or fix DATABASE_URL.";
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
            {
                reason = Reason(ex);
            }

            // Npgsql's connect timeout (15 s) bounds one attempt, so the whole wait ends at most that much after the deadline.
            var remaining = deadline - time.GetUtcNow();
            Log.Unreachable(logger, settings.Endpoint, reason, Math.Max(0, (int)Math.Ceiling(remaining.TotalSeconds)));
            if (remaining <= TimeSpan.Zero)
            {
                return $"DATABASE_URL names PostgreSQL at {settings.Endpoint}, which did not accept connections within {options.Wait.TotalSeconds:0.#} s "
                    + $"(last error: {reason}). Check that PostgreSQL is running and reachable from here at that host and port, "
                    + "or raise DATABASE_WAIT_SECONDS if it starts more slowly.";
            }

            await Task.Delay(remaining < RetryEvery ? remaining : RetryEvery, time, cancellationToken);
        }
    }

    /// <summary>A server that is still starting or out of connections may let us in later; anything else will not.</summary>
    private static bool IsTransient(PostgresException ex) => ex.IsTransient || ex.SqlState is "57P03" or "53300";

    private static string Refused(DatabaseSettings settings, PostgresException ex) => ex.SqlState switch
    {
        "28P01" or "28000" => $"DATABASE_URL: PostgreSQL at {settings.Endpoint} refused the user name and password ({ex.SqlState}: {ex.MessageText}). "
            + "Check both in DATABASE_URL, percent-encoding special characters in the password (; → %3B, = → %3D, @ → %40, / → %2F).",
        "3D000" => $"DATABASE_URL names database '{settings.Display[(settings.Display.LastIndexOf('/') + 1)..]}', which does not exist on PostgreSQL at {settings.Endpoint}. "
            + "Create it (createdb -O <user> <name>) or fix the name in DATABASE_URL.",
        _ => $"DATABASE_URL: PostgreSQL at {settings.Endpoint} refused the connection ({ex.SqlState}: {ex.MessageText}).",
    };

    /// <summary>The innermost useful cause ("Connection refused"), not the whole exception chain.</summary>
    private static string Reason(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is { } next)
        {
            inner = next;
        }

        return inner is SocketException socket ? socket.Message : ex.Message;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL at {Endpoint} (DATABASE_URL) is not reachable: {Reason}; waiting up to {RemainingSeconds} s more.")]
        public static partial void Unreachable(ILogger logger, string? endpoint, string reason, int remainingSeconds);
    }
}

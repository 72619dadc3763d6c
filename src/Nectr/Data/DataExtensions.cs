using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Nectr.Configuration;

namespace Nectr.Data;

internal static partial class DataExtensions
{
    /// <summary>Registers the database named by DATABASE_URL; code asks for <see cref="IDbContextFactory{NectrDb}"/>.</summary>
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder, DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var db = options.Connection;
        switch (db.Provider)
        {
            case DatabaseProvider.Sqlite:
                var synchronous = new SqliteSynchronous(options.SqliteSynchronousFull, SqliteCheckpointer.ConnectionPragma);
                builder.Services.AddSingleton(sp => new SqliteCheckpointer(db.ConnectionString, sp.GetRequiredService<DbWriteGate>(), sp.GetRequiredService<ILogger<SqliteCheckpointer>>()));
                builder.Services.AddHostedService(sp => sp.GetRequiredService<SqliteCheckpointer>());
                builder.Services.AddSingleton<SqliteCheckpointer.CommitInterceptor>();
                builder.Services.AddPooledDbContextFactory<SqliteNectrDb>((sp, o) => o.UseSqlite(db.ConnectionString)
                    // EF warns, for its developers, that a SQLite table rebuild turns foreign keys off outside the
                    // migration's transaction. An operator can do nothing with that on a first start (no data yet) and
                    // is told what matters on an upgrade by MigrateDatabaseAsync's own line and README's Upgrading.
                    .ConfigureWarnings(w => w.Log((Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Debug)))
                    .AddInterceptors(synchronous, sp.GetRequiredService<SqliteCheckpointer.CommitInterceptor>(),
                        sp.GetRequiredService<Webhooks.RepositorySecretCache.ChangeInterceptor>()));
                builder.Services.AddSingleton<IDbContextFactory<NectrDb>, FactoryOf<SqliteNectrDb>>();
                break;
            case DatabaseProvider.Postgres:
                builder.Services.AddPooledDbContextFactory<PostgresNectrDb>((sp, o) => o.UseNpgsql(db.ConnectionString)
                    .AddInterceptors(sp.GetRequiredService<Webhooks.RepositorySecretCache.ChangeInterceptor>()));
                builder.Services.AddSingleton<IDbContextFactory<NectrDb>, FactoryOf<PostgresNectrDb>>();
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider {db.Provider}.");
        }

        // Webhook intake keeps repository secrets in memory; every save of a repository row in this process clears them.
        builder.Services.AddSingleton<Webhooks.RepositorySecretCache>();
        builder.Services.AddSingleton<Webhooks.RepositorySecretCache.ChangeInterceptor>();

        // Every writer takes the gate (SQLite has one writer at a time); it belongs with the database, not a feature.
        builder.Services.AddSingleton<DbWriteGate>();
        return builder;
    }

    /// <summary>
    /// Applies pending migrations before the server takes traffic (or for <c>nectr migrate</c>), saying in the log
    /// whether it creates the schema or upgrades it, from which migration; returns the migrations that were pending.
    /// EF Core takes a migration lock, so several processes starting together on one PostgreSQL database do not race
    /// each other.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        var factory = services.GetRequiredService<IDbContextFactory<NectrDb>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets the webhook endpoint write while the worker reads; it persists in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        else if (db.Database.IsNpgsql())
        {
            await CreateMigrationHistoryAsync(db, cancellationToken);
        }

        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Nectr.Data.Migrations");
        if (pending.Count > 0 && applied.Count == 0)
        {
            Log.Creating(logger, pending.Count);
        }
        else if (pending.Count > 0)
        {
            Log.Upgrading(logger, pending.Count, applied[^1], pending[^1]);
        }

        await db.Database.MigrateAsync(cancellationToken);
        if (pending.Count > 0)
        {
            // Another instance starting at the same moment may have applied them: either way the schema is current now.
            Log.Migrated(logger, applied.Count + pending.Count);
        }

        return pending;
    }

    /// <summary>
    /// PostgreSQL: creates EF's migration history table if it is missing, with EF's own script. Npgsql's history
    /// repository answers "it exists" without looking (efcore.pg #3407), so on a new database EF's first read of the
    /// table failed and EF logged that read at Error with its SQL before creating the table: a clean first start
    /// printed a <c>fail:</c> line. Two instances starting on one new database at once may both create it; the one
    /// that loses is told so by PostgreSQL, and the table is there either way.
    /// </summary>
    private static async Task CreateMigrationHistoryAsync(NectrDb db, CancellationToken cancellationToken)
    {
        var script = db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript();
        try
        {
            await db.Database.ExecuteSqlRawAsync(script, cancellationToken);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState is Npgsql.PostgresErrorCodes.UniqueViolation or Npgsql.PostgresErrorCodes.DuplicateTable)
        {
            // Created by another instance between the check and the create: what this wanted.
        }
    }

    private sealed class FactoryOf<T>(IDbContextFactory<T> inner) : IDbContextFactory<NectrDb>
        where T : NectrDb
    {
        public NectrDb CreateDbContext() => inner.CreateDbContext();

        public async Task<NectrDb> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Creating the database schema: {Count} migration(s) to apply")]
        public static partial void Creating(ILogger logger, int count);

        [LoggerMessage(2, LogLevel.Information, "Upgrading the database from migration {From} to {To}: {Count} migration(s) to apply. Let start-up finish: a migration stopped halfway can leave the database to be restored from the backup taken before the upgrade (README, Upgrading)")]
        public static partial void Upgrading(ILogger logger, int count, string from, string to);

        [LoggerMessage(3, LogLevel.Information, "Database schema up to date ({Count} migrations)")]
        public static partial void Migrated(ILogger logger, int count);
    }
}

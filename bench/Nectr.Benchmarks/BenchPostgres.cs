using Npgsql;

namespace Nectr.Benchmarks;

/// <summary>A PostgreSQL server for a benchmark: its URL as a connection string, and statements run on it as administrator (a database created for the run and dropped after it).</summary>
internal static class BenchPostgres
{
    /// <summary><c>postgres://user:pass@host:port/db</c> as an unpooled connection string (the database defaults to <c>postgres</c>).</summary>
    public static string ConnectionString(Uri url)
    {
        var user = url.UserInfo.Split(':', 2);
        return new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port,
            Database = url.AbsolutePath.Trim('/') is { Length: > 0 } db ? db : "postgres",
            Username = Uri.UnescapeDataString(user[0]),
            Password = Uri.UnescapeDataString(user.ElementAtOrDefault(1) ?? ""),
            Pooling = false,
        }.ConnectionString;
    }

    public static async Task AdminAsync(string server, string sql)
    {
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}

namespace Nectr.Configuration;

internal enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// A parsed <c>DATABASE_URL</c>. Accepts the forms the original Nectr documents
/// (<c>sqlite:///relative.db</c>, <c>sqlite:////absolute/path.db</c>, <c>postgres[ql]://user:pass@host:port/db</c>),
/// and tolerates SQLAlchemy driver suffixes such as <c>postgresql+asyncpg://</c> so an existing .env keeps working.
/// </summary>
internal sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, string Display)
{
    public static DatabaseSettings Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw new FormatException(
                $"DATABASE_URL '{Redact(url)}' is not a URL. Use sqlite:///nectr.db (a file next to the process), " +
                "sqlite:////var/lib/nectr/nectr.db (absolute path) or postgresql://user:password@host:5432/nectr.");
        }

        var scheme = url[..schemeEnd].ToLowerInvariant();
        var plus = scheme.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0)
        {
            scheme = scheme[..plus];
        }

        return scheme switch
        {
            "sqlite" => ParseSqlite(url[(schemeEnd + 3)..]),
            "postgres" or "postgresql" => ParsePostgres(new Uri("postgresql" + url[schemeEnd..])),
            _ => throw new FormatException(
                $"DATABASE_URL scheme '{scheme}' is not supported. Use sqlite:///nectr.db or postgresql://user:password@host:5432/nectr."),
        };
    }

    private static DatabaseSettings ParseSqlite(string rest)
    {
        // sqlite:///relative.db → rest "/relative.db"; sqlite:////abs.db → rest "//abs.db".
        if (!rest.StartsWith('/') || rest.Length < 2)
        {
            throw new FormatException("DATABASE_URL for SQLite needs three slashes: sqlite:///nectr.db (relative) or sqlite:////data/nectr.db (absolute).");
        }

        var path = rest[1..];
        if (path is ":memory:" || path.Length == 0)
        {
            throw new FormatException("DATABASE_URL sqlite:///:memory: would lose every delivery on restart; point it at a file, e.g. sqlite:///nectr.db.");
        }

        var fullPath = Path.GetFullPath(path);
        // A generous busy timeout: SQLite has one writer, and intake and the worker share it.
        var connectionString = $"Data Source={fullPath};Default Timeout=30";
        return new DatabaseSettings(DatabaseProvider.Sqlite, connectionString, $"sqlite:{fullPath}");
    }

    private static DatabaseSettings ParsePostgres(Uri uri)
    {
        var database = uri.AbsolutePath.Trim('/');
        if (database.Length == 0)
        {
            throw new FormatException("DATABASE_URL for PostgreSQL needs a database name: postgresql://user:password@host:5432/nectr.");
        }

        var parts = new List<string>
        {
            $"Host={uri.Host}",
            $"Port={(uri.Port > 0 ? uri.Port : 5432)}",
            $"Database={Uri.UnescapeDataString(database)}",
        };
        if (uri.UserInfo.Length > 0)
        {
            var userInfo = uri.UserInfo.Split(':', 2);
            parts.Add($"Username={Uri.UnescapeDataString(userInfo[0])}");
            if (userInfo.Length == 2)
            {
                parts.Add($"Password={Uri.UnescapeDataString(userInfo[1])}");
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true";
            switch (kv[0].ToLowerInvariant())
            {
                case "sslmode": parts.Add($"SSL Mode={value}"); break;
                case "application_name": parts.Add($"Application Name={value}"); break;
                default: break; // Unknown libpq options are ignored rather than passed on unchecked.
            }
        }

        return new DatabaseSettings(DatabaseProvider.Postgres, string.Join(';', parts), $"postgresql://{uri.Host}:{uri.Port}/{database}");
    }

    private static string Redact(string url)
    {
        var at = url.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? url : "…" + url[at..];
    }
}

using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Nectr.Configuration;

internal enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// A parsed <c>DATABASE_URL</c>. Accepts the forms the original Nectr documents
/// (<c>sqlite:///relative.db</c>, <c>sqlite:////absolute/path.db</c>, <c>postgres[ql]://user:pass@host:port/db</c>),
/// and tolerates SQLAlchemy driver suffixes such as <c>postgresql+asyncpg://</c> so an existing .env keeps working.
/// Every error names DATABASE_URL and the accepted forms, and never repeats the password.
/// </summary>
internal sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, string Display)
{
    public const string AcceptedForms =
        "Use sqlite:///nectr.db (a file next to the process), sqlite:////var/lib/nectr/nectr.db (absolute path) " +
        "or postgresql://user:password@host:5432/nectr, with special characters in the user or password percent-encoded (; → %3B, = → %3D, @ → %40, / → %2F, # → %23).";

    /// <summary>Host and port of a PostgreSQL URL, for messages (no user, no password).</summary>
    public string? Endpoint { get; init; }

    public static DatabaseSettings Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw new FormatException($"DATABASE_URL '{Redact(url)}' is not a URL. {AcceptedForms}");
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
            "postgres" or "postgresql" => ParsePostgres(url, url[(schemeEnd + 3)..]),
            _ => throw new FormatException($"DATABASE_URL scheme '{scheme}' is not supported. {AcceptedForms}"),
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
        // The builder quotes what needs quoting, so a ';' or '=' in the path cannot add a keyword.
        // A generous busy timeout: SQLite has one writer, and intake and the worker share it.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = fullPath, DefaultTimeout = 30 }.ConnectionString;
        return new DatabaseSettings(DatabaseProvider.Sqlite, connectionString, $"sqlite:{fullPath}");
    }

    private static DatabaseSettings ParsePostgres(string url, string rest)
    {
        // Check the authority by hand first: Uri's own error ("Invalid URI: Invalid port specified") names neither
        // the variable nor the fix, and the text before '@' may be a password, so it is never repeated.
        var authorityEnd = rest.IndexOfAny(['/', '?', '#']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var at = authority.LastIndexOf('@');
        if (at < 0 && PortOf(authority) is { } maybePassword && !IsPort(maybePassword))
        {
            throw new FormatException($"DATABASE_URL has a ':' but no '@' before the host, so a password may be read as the port. {AcceptedForms}");
        }

        var hostPort = authority[(at + 1)..];
        var portText = PortOf(hostPort);
        if (portText is not null && !IsPort(portText))
        {
            throw new FormatException($"DATABASE_URL port '{portText}' (host {hostPort}) is not a number from 1 to 65535. {AcceptedForms}");
        }

        if (!Uri.TryCreate("postgresql://" + rest, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new FormatException($"DATABASE_URL '{Redact(url)}' is not a valid PostgreSQL URL. {AcceptedForms}");
        }

        var database = uri.AbsolutePath.Trim('/');
        if (database.Length == 0)
        {
            throw new FormatException("DATABASE_URL for PostgreSQL needs a database name: postgresql://user:password@host:5432/nectr.");
        }

        var port = uri.Port > 0 ? uri.Port : 5432;
        // The builder quotes values, so a ';', '=' or quote in the password stays inside the password.
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = port, Database = Uri.UnescapeDataString(database) };
        if (uri.UserInfo.Length > 0)
        {
            var userInfo = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
            if (userInfo.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(userInfo[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true";
            switch (kv[0].ToLowerInvariant())
            {
                case "sslmode" when Enum.TryParse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode):
                    builder.SslMode = mode;
                    break;
                case "sslmode":
                    throw new FormatException($"DATABASE_URL sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full.");
                case "application_name": builder.ApplicationName = value; break;
                default: break; // Unknown libpq options are ignored rather than passed on unchecked.
            }
        }

        var endpoint = $"{uri.Host}:{port}";
        return new DatabaseSettings(DatabaseProvider.Postgres, builder.ConnectionString, $"postgresql://{endpoint}/{database}") { Endpoint = endpoint };
    }

    /// <summary>The text after the host's last ':' (outside IPv6 brackets), or null when there is none.</summary>
    private static string? PortOf(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        return colon < 0 || hostPort.LastIndexOf(']') > colon ? null : hostPort[(colon + 1)..];
    }

    private static bool IsPort(string text) =>
        text.Length > 0 && text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535;

    private static string Redact(string url)
    {
        // Only what follows the last '@' is repeated: before it are the user and the password.
        var at = url.LastIndexOf('@');
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        return at < 0 ? url : (schemeEnd > 0 && schemeEnd < at ? url[..(schemeEnd + 3)] : "") + "…" + url[at..];
    }
}

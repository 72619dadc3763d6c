namespace Nectr.Configuration;

/// <summary>The database (DATABASE_URL, parsed by <see cref="DatabaseSettings"/>) and how long start-up waits for it.</summary>
internal sealed class DatabaseOptions
{
    public const string DefaultUrl = "sqlite:///nectr.db";
    internal static readonly SecondsSetting WaitSetting = new("DATABASE_WAIT_SECONDS", 60, 0, 3600);
    internal static readonly BoolSetting SqliteSynchronousFullSetting = new("SQLITE_SYNCHRONOUS_FULL", false);

    [ConfigurationKeyName("DATABASE_URL")] public string? UrlText { get; set; }
    [ConfigurationKeyName("DATABASE_WAIT_SECONDS")] public string? WaitText { get; set; }
    [ConfigurationKeyName("SQLITE_SYNCHRONOUS_FULL")] public string? SqliteSynchronousFullText { get; set; }

    /// <summary>The provider, its connection string and a display form without the password.</summary>
    public DatabaseSettings Connection => Parse([]);

    /// <summary>How long start-up waits for the database to accept connections.</summary>
    public TimeSpan Wait => WaitSetting.Read(WaitText);

    /// <summary>
    /// SQLite in WAL mode syncs at every commit only when this is set (<c>synchronous=FULL</c>). The default,
    /// <c>NORMAL</c>, keeps every commit across a crash of the process (the WAL is in the operating system's
    /// hands), and loses the last commits only if the machine itself loses power or crashes before the next checkpoint.
    /// </summary>
    public bool SqliteSynchronousFull => SqliteSynchronousFullSetting.Read(SqliteSynchronousFullText);

    internal DatabaseSettings Parse(List<string> errors)
    {
        try
        {
            return DatabaseSettings.Parse(Setting.Text(UrlText) ?? DefaultUrl);
        }
        catch (Exception ex) when (ex is FormatException or UriFormatException)
        {
            errors.Add(ex.Message);
            return DatabaseSettings.Parse(DefaultUrl);
        }
    }
}

internal sealed class DatabaseOptionsValidator : OptionsValidator<DatabaseOptions>
{
    protected override void Check(DatabaseOptions options, List<string> errors)
    {
        options.Parse(errors);
        DatabaseOptions.WaitSetting.Check(options.WaitText, errors);
        DatabaseOptions.SqliteSynchronousFullSetting.Check(options.SqliteSynchronousFullText, errors);
    }
}

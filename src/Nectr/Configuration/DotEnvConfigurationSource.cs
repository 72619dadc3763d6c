using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Nectr.Configuration;

/// <summary>
/// Reads KEY=VALUE lines from a <c>.env</c> file in the working directory. It is inserted just below the
/// environment variables, so the real environment always wins and appsettings only fills what both leave out.
/// </summary>
internal sealed class DotEnvConfigurationSource(string path) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new DotEnvConfigurationProvider(path);

    public static void InsertBelowEnvironment(IConfigurationBuilder configuration, string path)
    {
        var source = new DotEnvConfigurationSource(path);
        var index = configuration.Sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (index < 0)
        {
            configuration.Sources.Add(source);
        }
        else
        {
            configuration.Sources.Insert(index, source);
        }
    }
}

internal sealed class DotEnvConfigurationProvider(string path) : ConfigurationProvider
{
    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(path))
        {
            foreach (var (key, value) in Parse(File.ReadAllLines(path)))
            {
                data[key] = value;
            }
        }

        Data = data;
    }

    /// <summary>Parses the common .env dialect: comments, blank lines, optional <c>export</c>, single or double quotes.</summary>
    internal static IEnumerable<(string Key, string Value)> Parse(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            var quote = value.Length > 0 && value[0] is '"' or '\'' ? value[0] : '\0';
            var close = quote == '\0' ? -1 : value.IndexOf(quote, 1);
            if (close > 0)
            {
                // Quoted: the value is what stands between the quotes; anything after (a comment) is dropped.
                value = value[1..close];
                if (quote == '"')
                {
                    value = value.Replace("\\n", "\n", StringComparison.Ordinal);
                }
            }
            else
            {
                var comment = value.IndexOf(" #", StringComparison.Ordinal);
                if (comment >= 0)
                {
                    value = value[..comment].TrimEnd();
                }
            }

            yield return (key, value);
        }
    }
}

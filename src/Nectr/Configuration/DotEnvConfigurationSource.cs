using System.Text;
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
            foreach (var (key, value) in Parse(File.ReadAllText(path), path))
            {
                data[key] = value;
            }
        }

        Data = data;
    }

    /// <summary>
    /// Parses the common .env dialect (as docker compose and python-dotenv read it): comments, blank lines, optional
    /// <c>export</c>; double quotes may span lines (a PEM key) and understand <c>\n</c>, <c>\r</c>, <c>\t</c>,
    /// <c>\"</c> and <c>\\</c>; single quotes are literal and may span lines; unquoted values end at the line or at " #".
    /// A quote that never closes stops start-up with an <see cref="InvalidConfigurationException"/> naming the file and
    /// line: read as written it would hand a truncated key (or the rest of the file) to whatever uses the value.
    /// </summary>
    internal static IEnumerable<(string Key, string Value)> Parse(string text, string fileName = ".env")
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var position = 0;
        while (position < text.Length)
        {
            var lineEnd = EndOfLine(text, position);
            var next = lineEnd + 1;
            var lineStart = position;
            while (lineStart < lineEnd && char.IsWhiteSpace(text[lineStart]))
            {
                lineStart++;
            }

            if (text.AsSpan(lineStart, lineEnd - lineStart).StartsWith("export ", StringComparison.Ordinal))
            {
                lineStart += 7;
                while (lineStart < lineEnd && text[lineStart] is ' ' or '\t')
                {
                    lineStart++;
                }
            }

            var eq = text.IndexOf('=', lineStart, lineEnd - lineStart);
            if (lineStart == lineEnd || text[lineStart] == '#' || eq <= lineStart || text[lineStart..eq].Trim().Length == 0)
            {
                position = next;
                continue;
            }

            var key = text[lineStart..eq].Trim();
            var valueStart = eq + 1;
            while (valueStart < lineEnd && text[valueStart] is ' ' or '\t')
            {
                valueStart++;
            }

            // A quoted value may run past this line; whatever follows its closing quote on that line is a comment.
            if (valueStart < lineEnd && text[valueStart] is '"' or '\'')
            {
                if (!Quoted(text, valueStart, out var quoted, out var end))
                {
                    throw new InvalidConfigurationException([Unterminated(fileName, text, valueStart, key)]);
                }

                yield return (key, quoted);
                position = EndOfLine(text, end) + 1;
                continue;
            }

            var value = text[valueStart..lineEnd].TrimEnd();
            var comment = value.IndexOf(" #", StringComparison.Ordinal);
            yield return (key, comment >= 0 ? value[..comment].TrimEnd() : value);
            position = next;
        }
    }

    /// <summary>The message for a quote opened at <paramref name="at"/> that never closes; never quotes the value (it may be a key).</summary>
    internal static string Unterminated(string fileName, string text, int at, string key)
    {
        var line = 1 + text.AsSpan(0, at).Count('\n');
        var quote = text[at];
        return $"{fileName} line {line}: the value of {key} opens a {quote} quote that never closes. End the value with a matching {quote} "
            + "(a multi-line value such as a PEM private key goes inside one pair of double quotes), or remove the opening quote.";
    }

    private static int EndOfLine(string text, int from)
    {
        var end = text.IndexOf('\n', from);
        return end < 0 ? text.Length : end;
    }

    /// <summary>Reads the value quoted at <paramref name="start"/>; false when the quote is never closed.</summary>
    private static bool Quoted(string text, int start, out string value, out int end)
    {
        var quote = text[start];
        var builder = new StringBuilder();
        for (var i = start + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == quote)
            {
                value = builder.ToString();
                end = i;
                return true;
            }

            if (c == '\\' && quote == '"' && i + 1 < text.Length)
            {
                var escaped = text[i + 1] switch
                {
                    'n' => "\n",
                    'r' => "\r",
                    't' => "\t",
                    '"' => "\"",
                    '\\' => "\\",
                    _ => null, // not an escape: the backslash stays, as in a Windows path
                };
                if (escaped is not null)
                {
                    builder.Append(escaped);
                    i++;
                    continue;
                }
            }

            builder.Append(c);
        }

        value = "";
        end = text.Length;
        return false;
    }
}

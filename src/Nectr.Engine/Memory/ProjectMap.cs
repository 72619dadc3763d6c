using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nectr.Engine.Memory;

/// <summary>A file the project scan read: its path from the repository root, and its text.</summary>
public sealed record ScannedFile(string Path, string Text);

/// <summary>
/// Summarises a repository's README, manifests and top-level tree into <c>project_map</c> memories, deterministically
/// (no model): the same files always give the same map, so a rescan of an unchanged repository changes nothing. The
/// texts come from the repository and are untrusted; the summaries only quote names, never instructions, and reach
/// prompts inside untrusted blocks like every memory.
/// </summary>
public static partial class ProjectMap
{
    /// <summary>Each entry stays well under the memory size limit (2,000 characters).</summary>
    public const int MaxEntryChars = 900;
    private const int MaxNames = 25;

    /// <summary>File names (exact, case-insensitive) and extensions that declare a project, its language and dependencies.</summary>
    private static readonly string[] ManifestNames =
    [
        "package.json", "pyproject.toml", "setup.py", "requirements.txt", "Pipfile", "go.mod", "Cargo.toml", "pom.xml",
        "build.gradle", "build.gradle.kts", "Gemfile", "composer.json", "mix.exs", "Package.swift", "CMakeLists.txt",
        "global.json", "Directory.Packages.props", "deno.json", "pubspec.yaml",
    ];

    private static readonly string[] ManifestExtensions = [".csproj", ".fsproj", ".vbproj", ".sln", ".slnx"];

    public static bool IsManifest(string fileName) =>
        ManifestNames.Contains(fileName, StringComparer.OrdinalIgnoreCase)
        || ManifestExtensions.Any(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public static bool IsReadme(string fileName) =>
        fileName.StartsWith("README", StringComparison.OrdinalIgnoreCase) && fileName.Length <= 16;

    /// <summary>
    /// The map: the layout (default branch, top-level directories and files), what the README says the project is,
    /// and one entry per manifest. <paramref name="directories"/> and <paramref name="files"/> are the top level.
    /// </summary>
    public static IReadOnlyList<string> Summarise(
        string defaultBranch, IReadOnlyList<string> directories, IReadOnlyList<string> files, ScannedFile? readme, IReadOnlyList<ScannedFile> manifests)
    {
        ArgumentNullException.ThrowIfNull(directories);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(manifests);
        var entries = new List<string>();
        var layout = new StringBuilder($"Layout (default branch {defaultBranch}): ");
        layout.Append(directories.Count == 0 ? "no top-level directories" : "top-level directories " + Names(directories.Select(d => d + "/")));
        if (files.Count > 0)
        {
            layout.Append("; top-level files ").Append(Names(files));
        }

        entries.Add(Cap(layout.Append('.').ToString()));
        if (readme is not null && Readme(readme.Text) is { } about)
        {
            entries.Add(Cap($"README ({readme.Path}): {about}"));
        }

        foreach (var manifest in manifests.OrderBy(m => m.Path, StringComparer.Ordinal))
        {
            if (Manifest(manifest) is { } summary)
            {
                entries.Add(Cap(summary));
            }
        }

        return entries;
    }

    /// <summary>The README's first heading and first paragraph of prose (badges, HTML and link-only lines skipped).</summary>
    internal static string? Readme(string text)
    {
        string? title = null;
        var paragraph = new StringBuilder();
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (title is null && line.StartsWith('#'))
            {
                title = line.TrimStart('#').Trim();
                continue;
            }

            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith('<') || line.StartsWith("[!", StringComparison.Ordinal)
                || line.StartsWith("![", StringComparison.Ordinal) || line.StartsWith("```", StringComparison.Ordinal) || line.StartsWith('|'))
            {
                if (paragraph.Length > 0)
                {
                    break;
                }

                continue;
            }

            paragraph.Append(paragraph.Length == 0 ? "" : " ").Append(line);
            if (paragraph.Length > 600)
            {
                break;
            }
        }

        var about = Links().Replace(paragraph.ToString(), "$1");
        return (title, about.Length) switch
        {
            (null, 0) => null,
            (null, _) => about,
            (_, 0) => title,
            _ => $"{title}. {about}",
        };
    }

    private static string? Manifest(ScannedFile file)
    {
        var name = file.Path[(file.Path.LastIndexOf('/') + 1)..];
        var lower = name.ToLowerInvariant();
        var (kind, details) = lower switch
        {
            "package.json" => ("Node.js package", PackageJson(file.Text)),
            "pyproject.toml" => ("Python project", Pyproject(file.Text)),
            "requirements.txt" => ("Python requirements", Join("packages", Requirements(file.Text))),
            "go.mod" => ("Go module", GoMod(file.Text)),
            "cargo.toml" => ("Rust crate", Cargo(file.Text)),
            "pom.xml" => ("Maven project", Pom(file.Text)),
            "build.gradle" or "build.gradle.kts" => ("Gradle build", Join("dependencies", Matches(GradleDependency(), file.Text))),
            "gemfile" => ("Ruby bundle", Join("gems", Matches(Gem(), file.Text))),
            "composer.json" => ("PHP package", PackageJson(file.Text)),
            _ when lower.EndsWith(".csproj", StringComparison.Ordinal) || lower.EndsWith(".fsproj", StringComparison.Ordinal)
                || lower.EndsWith(".vbproj", StringComparison.Ordinal) => (".NET project", MsBuild(file.Text)),
            "directory.packages.props" => (".NET central package versions", Join("packages", Matches(PackageVersion(), file.Text))),
            _ => ("build file", ""),
        };
        return $"{kind} {file.Path}{(details.Length == 0 ? "" : ": " + details)}.";
    }

    private static string PackageJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "";
            }

            var parts = new List<string>();
            if (root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            {
                parts.Add("name " + n.GetString());
            }

            foreach (var (property, label) in new[] { ("scripts", "scripts"), ("dependencies", "dependencies"), ("require", "dependencies"), ("devDependencies", "dev dependencies"), ("require-dev", "dev dependencies") })
            {
                if (root.TryGetProperty(property, out var map) && map.ValueKind == JsonValueKind.Object)
                {
                    parts.Add(Join(label, map.EnumerateObject().Select(p => p.Name)));
                }
            }

            return string.Join("; ", parts.Where(p => p.Length > 0));
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static string Pyproject(string text)
    {
        var parts = new List<string>();
        if (TomlString("name", text) is { } name)
        {
            parts.Add("name " + name);
        }

        if (TomlString("requires-python", text) is { } python)
        {
            parts.Add("Python " + python);
        }

        var list = DependencyArray().Match(text);
        if (list.Success)
        {
            parts.Add(Join("dependencies", QuotedStrings().Matches(list.Groups[1].Value).Select(m => PackageName(m.Groups[1].Value))));
        }

        return string.Join("; ", parts.Where(p => p.Length > 0));
    }

    private static IEnumerable<string> Requirements(string text) =>
        text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('-')).Select(PackageName);

    private static string GoMod(string text)
    {
        var module = GoModule().Match(text);
        var go = GoVersion().Match(text);
        var requires = GoRequire().Matches(text).Select(m => m.Groups[1].Value).Where(p => p.Contains('.', StringComparison.Ordinal));
        return string.Join("; ", new[]
        {
            module.Success ? "module " + module.Groups[1].Value : "",
            go.Success ? "Go " + go.Groups[1].Value : "",
            Join("requires", requires),
        }.Where(p => p.Length > 0));
    }

    private static string Cargo(string text)
    {
        var parts = new List<string>();
        if (TomlString("name", text) is { } name)
        {
            parts.Add("name " + name);
        }

        if (TomlString("edition", text) is { } edition)
        {
            parts.Add("edition " + edition);
        }

        var section = CargoDependencies().Match(text);
        if (section.Success)
        {
            parts.Add(Join("dependencies", TomlKeys().Matches(section.Groups[1].Value).Select(m => m.Groups[1].Value)));
        }

        return string.Join("; ", parts.Where(p => p.Length > 0));
    }

    private static string Pom(string text)
    {
        var artifacts = Matches(ArtifactId(), text).ToList();
        return artifacts.Count == 0 ? "" : $"artifact {artifacts[0]}; " + Join("dependencies", artifacts.Skip(1));
    }

    private static string MsBuild(string text)
    {
        var parts = new List<string>();
        var sdk = ProjectSdk().Match(text);
        if (sdk.Success)
        {
            parts.Add("SDK " + sdk.Groups[1].Value);
        }

        var framework = TargetFramework().Match(text);
        if (framework.Success)
        {
            parts.Add("targets " + framework.Groups[1].Value.Trim());
        }

        var output = OutputType().Match(text);
        if (output.Success)
        {
            parts.Add("output " + output.Groups[1].Value.Trim());
        }

        parts.Add(Join("packages", Matches(PackageReference(), text)));
        parts.Add(Join("references", Matches(ProjectReference(), text).Select(p => p.Replace('\\', '/'))));
        return string.Join("; ", parts.Where(p => p.Length > 0));
    }

    private static string? TomlString(string key, string text)
    {
        var match = Regex.Match(text, $@"(?m)^\s*{Regex.Escape(key)}\s*=\s*""([^""\r\n]{{1,100}})""", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return match.Success ? match.Groups[1].Value : null;
    }

    private static string PackageName(string requirement) => RequirementName().Match(requirement) is { Success: true } m ? m.Value : requirement;

    private static IEnumerable<string> Matches(Regex regex, string text) => regex.Matches(text).Select(m => m.Groups[1].Value.Trim());

    private static string Join(string label, IEnumerable<string> names)
    {
        var list = names.Where(n => n.Length is > 0 and <= 100).Distinct(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "" : $"{label} {Names(list)}";
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = names.ToList();
        var shown = string.Join(", ", list.Take(MaxNames));
        return list.Count > MaxNames ? $"{shown} and {list.Count - MaxNames} more" : shown;
    }

    private static string Cap(string entry)
    {
        // No control characters in a memory (the store refuses them), and a bounded size.
        var clean = new string([.. entry.Select(c => char.IsControl(c) ? ' ' : c)]);
        return clean.Length <= MaxEntryChars ? clean : string.Concat(clean.AsSpan(0, MaxEntryChars - 1), "…");
    }

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)", RegexOptions.CultureInvariant)]
    private static partial Regex Links();

    // The list ends at a ']' that ends its line: extras such as "sqlalchemy[asyncio]" hold brackets of their own.
    [GeneratedRegex(@"(?ms)^\s*dependencies\s*=\s*\[(.*?)\][ \t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex DependencyArray();

    [GeneratedRegex(@"[""']([^""'\r\n]+)[""']", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedStrings();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*", RegexOptions.CultureInvariant)]
    private static partial Regex RequirementName();

    [GeneratedRegex(@"(?m)^module\s+(\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex GoModule();

    [GeneratedRegex(@"(?m)^go\s+(\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex GoVersion();

    [GeneratedRegex(@"(?m)^\s*(?:require\s+)?([A-Za-z0-9.\-_/]+\.[A-Za-z0-9.\-_/]+)\s+v\d", RegexOptions.CultureInvariant)]
    private static partial Regex GoRequire();

    [GeneratedRegex(@"(?ms)^\[dependencies\]\s*$(.*?)(?=^\[|\z)", RegexOptions.CultureInvariant)]
    private static partial Regex CargoDependencies();

    [GeneratedRegex(@"(?m)^\s*([A-Za-z0-9_-]+)\s*=", RegexOptions.CultureInvariant)]
    private static partial Regex TomlKeys();

    [GeneratedRegex(@"<artifactId>\s*([^<\s]+)\s*</artifactId>", RegexOptions.CultureInvariant)]
    private static partial Regex ArtifactId();

    [GeneratedRegex(@"(?:implementation|api|compileOnly|runtimeOnly|testImplementation)\s*\(?\s*[""']([^""']+)[""']", RegexOptions.CultureInvariant)]
    private static partial Regex GradleDependency();

    [GeneratedRegex(@"(?m)^\s*gem\s+[""']([^""']+)[""']", RegexOptions.CultureInvariant)]
    private static partial Regex Gem();

    [GeneratedRegex(@"<Project\s+Sdk=""([^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectSdk();

    [GeneratedRegex(@"<TargetFrameworks?>([^<]+)</TargetFrameworks?>", RegexOptions.CultureInvariant)]
    private static partial Regex TargetFramework();

    [GeneratedRegex(@"<OutputType>([^<]+)</OutputType>", RegexOptions.CultureInvariant)]
    private static partial Regex OutputType();

    [GeneratedRegex(@"<PackageReference\s+Include=""([^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex PackageReference();

    [GeneratedRegex(@"<PackageVersion\s+Include=""([^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex PackageVersion();

    [GeneratedRegex(@"<ProjectReference\s+Include=""([^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectReference();
}

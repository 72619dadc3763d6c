using System.IO.Compression;
using System.Text;

namespace Nectr.Engine.Tests.Checks.Differential;

/// <summary>The texts the windowed scan is compared on besides <see cref="PlantedSecrets"/>.</summary>
internal static class DifferentialCorpus
{
    /// <summary>
    /// Every source and data file of the test and benchmark projects, where every patch and diff fixture of the product
    /// lives (mostly as raw string literals): each file whole, and de-indented as the literal's value reads.
    /// </summary>
    public static IEnumerable<string> ProductFixtures()
    {
        var root = RepositoryRoot();
        var separator = Path.DirectorySeparatorChar;
        var files = new[] { "tests", "bench" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*", SearchOption.AllDirectories))
            .Where(f => Path.GetExtension(f) is ".cs" or ".txt" or ".json" or ".diff" or ".patch" or ".md")
            .Where(f => !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal)
                && !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal)
                && !f.Contains("node_modules", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            yield return text;
            yield return string.Join('\n', text.Split('\n').Select(l => l.TrimStart()));
        }
    }

    /// <summary>
    /// The 2,000 real file patches of <c>Checks/Fixtures/jquery-patches.diff.gz</c>: each whole (headers and hunks), and
    /// its lines without their diff prefix, as <c>HunkRenderer</c> joins a hunk's lines for the redactor.
    /// </summary>
    public static IEnumerable<string> JQueryPatches()
    {
        foreach (var patch in JQueryPatchTexts())
        {
            yield return patch;
            yield return string.Join('\n', patch.Split('\n').Select(l => l.Length > 0 ? l[1..] : l));
        }
    }

    public static List<string> JQueryPatchTexts()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Checks", "Fixtures", "jquery-patches.diff.gz");
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        var patches = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var next = text.IndexOf("\ndiff --git ", start, StringComparison.Ordinal);
            var end = next < 0 ? text.Length : next + 1;
            patches.Add(text[start..end]);
            start = end;
        }

        return patches;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Nectr.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Nectr.slnx not found above the test's directory.");
    }
}

namespace Nectr.Knowledge;

/// <summary>A file's language by its extension (or well-known name), for the file map; <c>Other</c> when unknown.</summary>
internal static class FileLanguages
{
    public const string Other = "Other";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".cs"] = "C#", [".csx"] = "C#", [".fs"] = "F#", [".vb"] = "Visual Basic",
        [".py"] = "Python", [".pyi"] = "Python", [".rb"] = "Ruby", [".go"] = "Go", [".rs"] = "Rust",
        [".java"] = "Java", [".kt"] = "Kotlin", [".kts"] = "Kotlin", [".scala"] = "Scala", [".swift"] = "Swift",
        [".js"] = "JavaScript", [".mjs"] = "JavaScript", [".cjs"] = "JavaScript", [".jsx"] = "JavaScript",
        [".ts"] = "TypeScript", [".tsx"] = "TypeScript", [".vue"] = "Vue", [".svelte"] = "Svelte",
        [".c"] = "C", [".h"] = "C", [".cpp"] = "C++", [".cc"] = "C++", [".cxx"] = "C++", [".hpp"] = "C++",
        [".php"] = "PHP", [".dart"] = "Dart", [".lua"] = "Lua", [".r"] = "R", [".ex"] = "Elixir", [".exs"] = "Elixir",
        [".sh"] = "Shell", [".bash"] = "Shell", [".ps1"] = "PowerShell", [".sql"] = "SQL",
        [".html"] = "HTML", [".htm"] = "HTML", [".cshtml"] = "HTML", [".razor"] = "HTML",
        [".css"] = "CSS", [".scss"] = "CSS", [".less"] = "CSS",
        [".json"] = "JSON", [".yml"] = "YAML", [".yaml"] = "YAML", [".toml"] = "TOML", [".xml"] = "XML",
        [".csproj"] = "XML", [".props"] = "XML", [".targets"] = "XML",
        [".md"] = "Markdown", [".markdown"] = "Markdown", [".rst"] = "reStructuredText", [".txt"] = "Text",
        [".proto"] = "Protocol Buffers", [".tf"] = "HCL",
    };

    private static readonly Dictionary<string, string> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Dockerfile"] = "Dockerfile", ["Makefile"] = "Makefile", ["Gemfile"] = "Ruby", ["Rakefile"] = "Ruby",
    };

    public static string Of(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (ByName.TryGetValue(name, out var language))
        {
            return language;
        }

        var dot = name.LastIndexOf('.');
        return dot > 0 && ByExtension.TryGetValue(name[dot..], out language) ? language : Other;
    }
}

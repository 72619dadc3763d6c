using System.Text.Json;
using Microsoft.Extensions.AI;
using Nectr.Engine.Review;

namespace Nectr.Tools;

/// <summary>
/// The only tools the model is ever offered, as declarations (name, description, JSON Schema of the arguments):
/// nothing here runs code; <see cref="ReviewToolbox"/> runs a call after checking its name and arguments. Each
/// question focus gets the tools that serve it: the general review all five, a specialist the few it needs, the
/// synthesis none (it merges answers; it looks at nothing).
/// </summary>
internal static class ToolCatalog
{
    public const string ReadFile = "read_file";
    public const string GetFileHistory = "get_file_history";
    public const string GetIssue = "get_issue";
    public const string SearchIssues = "search_issues";
    public const string SearchMemory = "search_memory";

    private static readonly Dictionary<string, AITool> Declarations = new(StringComparer.Ordinal)
    {
        [ReadFile] = Declare(ReadFile,
            "Reads a file of the repository as it is at the pull request's head commit, with line numbers. Give a line range for a long file.",
            """{"type":"object","properties":{"path":{"type":"string","description":"Path from the repository root, e.g. src/app/main.py"},"start_line":{"type":"integer","minimum":1,"description":"First line to read (default 1)"},"end_line":{"type":"integer","minimum":1,"description":"Last line to read (default: the end of the file)"}},"required":["path"],"additionalProperties":false}"""),
        [GetFileHistory] = Declare(GetFileHistory,
            "Lists the recent pull requests that changed a file: number, title, author, state and Nectr's verdict.",
            """{"type":"object","properties":{"path":{"type":"string","description":"Path from the repository root"}},"required":["path"],"additionalProperties":false}"""),
        [GetIssue] = Declare(GetIssue,
            "Reads one issue of the repository: title, state and body.",
            """{"type":"object","properties":{"number":{"type":"integer","minimum":1,"description":"The issue number"}},"required":["number"],"additionalProperties":false}"""),
        [SearchIssues] = Declare(SearchIssues,
            "Searches the repository's open issues by words; returns the best matches' numbers and titles.",
            """{"type":"object","properties":{"query":{"type":"string","description":"A few words to look for"}},"required":["query"],"additionalProperties":false}"""),
        [SearchMemory] = Declare(SearchMemory,
            "Searches the project's memory (rules, code patterns, decisions, notes about developers) by words.",
            """{"type":"object","properties":{"query":{"type":"string","description":"A few words to look for"},"developer":{"type":"string","description":"Only memories about this GitHub login"}},"required":["query"],"additionalProperties":false}"""),
    };

    private static readonly Dictionary<QuestionFocus, string[]> ByFocus = new()
    {
        [QuestionFocus.General] = [ReadFile, GetFileHistory, GetIssue, SearchIssues, SearchMemory],
        [QuestionFocus.Security] = [ReadFile, GetFileHistory],
        [QuestionFocus.Performance] = [ReadFile],
        [QuestionFocus.Style] = [ReadFile, SearchMemory],
        [QuestionFocus.Synthesis] = [],
    };

    public static IReadOnlyCollection<string> Names => Declarations.Keys;

    /// <summary>The names of the tools a question of <paramref name="focus"/> is offered, among <paramref name="available"/>.</summary>
    public static IReadOnlyList<string> For(QuestionFocus focus, IReadOnlySet<string> available) =>
        [.. ByFocus.GetValueOrDefault(focus, []).Where(available.Contains)];

    public static AITool Declaration(string name) => Declarations[name];

    private static AIFunctionDeclaration Declare(string name, string description, string schema) =>
        AIFunctionFactory.CreateDeclaration(name, description, JsonElement.Parse(schema));
}

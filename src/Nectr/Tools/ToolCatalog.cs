using System.Text.Json;
using Microsoft.Extensions.AI;
using Nectr.Engine.Review;

namespace Nectr.Tools;

/// <summary>
/// The only tools the model is ever offered, as declarations (name, description, JSON Schema of the arguments):
/// nothing here runs code; <see cref="ReviewToolbox"/> runs a call after checking its name and arguments. Each
/// question focus gets the tools that serve it: the general review all of them, a specialist the few it needs (security
/// the production errors of a file), the synthesis none (it merges answers; it looks at nothing). The last three read
/// the configured MCP servers and are offered only where one serves their role.
/// </summary>
internal static class ToolCatalog
{
    public const string ReadFile = "read_file";
    public const string GetFileHistory = "get_file_history";
    public const string GetIssue = "get_issue";
    public const string SearchIssues = "search_issues";
    public const string SearchMemory = "search_memory";
    public const string GetLinkedIssues = "get_linked_issues";
    public const string GetRelatedErrors = "get_related_errors";
    public const string SearchDiscussions = "search_discussions";

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
        [GetLinkedIssues] = Declare(GetLinkedIssues,
            "Searches the team's task tracker outside GitHub (such as Linear) by words; returns the matching tasks with their state and description.",
            """{"type":"object","properties":{"query":{"type":"string","description":"A few words to look for, or a task identifier such as PAY-142"}},"required":["query"],"additionalProperties":false}"""),
        [GetRelatedErrors] = Declare(GetRelatedErrors,
            "Looks up errors seen in production (such as in Sentry) for a file of the repository: their messages, counts and stack frames.",
            """{"type":"object","properties":{"path":{"type":"string","description":"Path from the repository root, e.g. src/app/main.py"}},"required":["path"],"additionalProperties":false}"""),
        [SearchDiscussions] = Declare(SearchDiscussions,
            "Searches the team's chat (such as Slack) by words; returns the matching messages with who wrote them, where and when.",
            """{"type":"object","properties":{"query":{"type":"string","description":"A few words to look for"}},"required":["query"],"additionalProperties":false}"""),
    };

    private static readonly Dictionary<QuestionFocus, string[]> ByFocus = new()
    {
        [QuestionFocus.General] = [ReadFile, GetFileHistory, GetIssue, SearchIssues, SearchMemory, GetLinkedIssues, GetRelatedErrors, SearchDiscussions],
        [QuestionFocus.Security] = [ReadFile, GetFileHistory, GetRelatedErrors],
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

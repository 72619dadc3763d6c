using System.Globalization;
using System.Text;
using Nectr.Engine.Budget;
using Nectr.Engine.Context;
using Nectr.Engine.Prompts;

namespace Nectr.Engine.Memory;

/// <summary>A stored memory as retrieval ranks it.</summary>
public sealed record StoredMemory(long Id, string Type, string Content, string? Developer, DateTime UpdatedAt);

/// <summary>The pull request memories are chosen for.</summary>
public sealed record MemoryQuery(string? Author, IReadOnlyList<string> Paths, string Title, string? Body);

/// <summary>
/// The memory context of one review: one block of project rules and one of other relevant memories (either may be
/// absent), the ids of the memories in them, and the tokens they cost. <see cref="Problem"/> says why memory is
/// missing when it could not be read; the review goes on without it.
/// </summary>
public sealed record MemoryBriefing(IReadOnlyList<ContextBlock> Blocks, IReadOnlyList<long> MemoryIds, int Tokens, string? Problem = null)
{
    public static MemoryBriefing Empty { get; } = new([], [], 0);

    /// <summary>The blocks as one text (title, blank line, bullets), for a caller that wants a single block.</summary>
    public string Text => string.Join("\n\n", Blocks.Select(b => $"{b.Title}\n\n{b.Text}"));
}

/// <summary>
/// Chooses which memories a review sees, within a token budget. Project rules come first, always (most recently
/// updated first), as far as the budget reaches. Then the other memories, ranked by relevance to the PR: a mention of a
/// changed path, file name or directory; words shared with the PR's title, body and paths; a developer memory about
/// the PR's author. A memory with none of these is left out, except the project map, which orients any review.
/// Memories about other developers count only by their words. Ties go to the most recently updated.
/// </summary>
public static class MemoryRanking
{
    public const string RulesTitle = "Project rules (kept by this repository's maintainers and earlier reviews)";
    public const string RelevantTitle = "Memories relevant to this pull request";

    private const int PathWeight = 4;
    private const int AuthorWeight = 6;
    private const int ProjectMapScore = 1;
    private const int MaxQueryTokens = 400;

    public static MemoryBriefing Rank(IReadOnlyList<StoredMemory> memories, MemoryQuery query, int maxTokens, ITokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(memories);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(counter);
        if (maxTokens <= 0 || memories.Count == 0)
        {
            return MemoryBriefing.Empty;
        }

        var rules = memories.Where(m => m.Type == MemoryTypes.ProjectRule)
            .OrderByDescending(m => m.UpdatedAt).ThenByDescending(m => m.Id).ToList();
        var words = QueryWords(query);
        var pathKeys = PathKeys(query.Paths);
        var others = memories.Where(m => m.Type != MemoryTypes.ProjectRule)
            .Select(m => (Memory: m, Score: Score(m, query.Author, words, pathKeys)))
            .Where(s => s.Score > 0)
            .OrderByDescending(s => s.Score).ThenByDescending(s => s.Memory.UpdatedAt).ThenByDescending(s => s.Memory.Id)
            .Select(s => s.Memory)
            .ToList();

        var used = new List<long>();
        var spent = 0;
        var blocks = new List<ContextBlock>();
        foreach (var (title, list) in new[] { (RulesTitle, rules), (RelevantTitle, others) })
        {
            var header = counter.Count(title) + 4; // the block's heading and fences in the prompt
            if (list.Count == 0 || spent + header >= maxTokens)
            {
                continue;
            }

            var text = new StringBuilder();
            var blockTokens = header;
            foreach (var memory in list)
            {
                var line = Line(memory);
                var cost = counter.Count(line) + 1;
                if (spent + blockTokens + cost > maxTokens)
                {
                    continue; // a shorter memory further down may still fit
                }

                text.Append(line).Append('\n');
                blockTokens += cost;
                used.Add(memory.Id);
            }

            if (text.Length > 0)
            {
                blocks.Add(new ContextBlock(ContextKind.Memory, title, text.ToString().TrimEnd('\n')));
                spent += blockTokens;
            }
        }

        return new MemoryBriefing(blocks, used, spent);
    }

    /// <summary>One bullet: a rule as written; other memories with their type and developer so the model can weigh them.</summary>
    public static string Line(StoredMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var content = memory.Content.ReplaceLineEndings(" ");
        if (memory.Type == MemoryTypes.ProjectRule)
        {
            return "- " + content;
        }

        return memory.Developer is { } developer
            ? string.Create(CultureInfo.InvariantCulture, $"- [{memory.Type}, @{developer}] {content}")
            : string.Create(CultureInfo.InvariantCulture, $"- [{memory.Type}] {content}");
    }

    private static int Score(StoredMemory memory, string? author, HashSet<string> words, List<string> pathKeys)
    {
        var score = 0;
        var isAuthors = memory.Developer is not null && author is not null && string.Equals(memory.Developer, author, StringComparison.OrdinalIgnoreCase);
        if (isAuthors)
        {
            score += AuthorWeight;
        }

        var content = memory.Content;
        score += PathWeight * pathKeys.Count(key => content.Contains(key, StringComparison.OrdinalIgnoreCase));
        score += SearchTokens.Of(content, MaxQueryTokens).Distinct(StringComparer.Ordinal).Count(words.Contains);
        if (score == 0 && memory.Type == MemoryTypes.ProjectMap)
        {
            score = ProjectMapScore;
        }

        return score;
    }

    private static HashSet<string> QueryWords(MemoryQuery query)
    {
        var tokens = new List<string>();
        SearchTokens.AddTo(query.Title, tokens, MaxQueryTokens);
        foreach (var path in query.Paths)
        {
            SearchTokens.AddTo(path, tokens, MaxQueryTokens);
        }

        SearchTokens.AddTo(query.Body, tokens, MaxQueryTokens);
        return new HashSet<string>(tokens, StringComparer.Ordinal);
    }

    /// <summary>
    /// What a memory says when it names a changed path: the path itself, its file name, and its directories
    /// (with a trailing slash, so "src/" matches "src/Api/" but not "resources").
    /// </summary>
    private static List<string> PathKeys(IReadOnlyList<string> paths)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths.Take(200))
        {
            keys.Add(path);
            var slash = path.LastIndexOf('/');
            if (slash >= 0 && slash < path.Length - 1)
            {
                var name = path[(slash + 1)..];
                if (name.Length >= 4)
                {
                    keys.Add(name);
                }
            }

            for (var i = path.IndexOf('/', StringComparison.Ordinal); i > 0; i = path.IndexOf('/', i + 1))
            {
                keys.Add(path[..(i + 1)]);
            }
        }

        return [.. keys];
    }
}

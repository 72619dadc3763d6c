using Nectr.Engine.Prompts;
using Nectr.Engine.Review;

namespace Nectr.Engine.Budget;

/// <summary>
/// Decides what the model is shown: files in priority order, packed first-fit into at most
/// <see cref="PromptBudget.MaxCalls"/> chunks that each fit the budget. A file too big for one call is clipped to its
/// leading whole hunks; a file that does not fit at all, and every credential file, is listed with the reason.
/// Nothing is dropped silently (DESIGN §7): the coverage section is built from <see cref="ChunkPlan.NotSent"/>.
/// </summary>
public static class ChunkPlanner
{
    // Files in a chunk are joined by one line break; counting it as a token keeps the running estimate on the high side.
    private const int SeparatorTokens = 1;

    public static ChunkPlan Plan(PreparedReview prepared, PromptBudget budget, ITokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentOutOfRangeException.ThrowIfLessThan(budget.MaxCalls, 1, nameof(budget));
        ArgumentOutOfRangeException.ThrowIfNegative(budget.OutputReserve, nameof(budget));
        ArgumentOutOfRangeException.ThrowIfNegative(budget.FixedPromptTokens, nameof(budget));

        var capacity = budget.ChunkCapacity;
        var chunks = new List<OpenChunk>();
        var notSent = new List<SkippedFile>();
        foreach (var file in FilePriority.Order(prepared.Files))
        {
            var path = file.File.Path;
            if (SensitiveFiles.IsSensitive(path))
            {
                notSent.Add(new SkippedFile(path, SensitiveFiles.Reason));
                continue;
            }

            var parts = HunkRenderer.RenderParts(file);
            var rendered = parts.Header + string.Concat(parts.Hunks.Select(h => h.Text));
            var tokens = counter.Count(rendered);
            var cost = tokens + SeparatorTokens;
            var target = chunks.Find(c => c.Tokens + cost <= capacity);
            if (target is null && chunks.Count < budget.MaxCalls && cost <= capacity)
            {
                target = new OpenChunk();
                chunks.Add(target);
            }

            if (target is not null)
            {
                target.Add(new ChunkFile(path, rendered, tokens, Clipped: false), cost);
                continue;
            }

            // Too big for a call of its own, or every call is full: send the leading hunks where there is most room.
            var host = chunks.Count < budget.MaxCalls ? null : chunks.MaxBy(c => capacity - c.Tokens);
            var room = capacity - (host?.Tokens ?? 0) - SeparatorTokens;
            if (Clip(path, parts, room, counter) is { } clipped)
            {
                if (host is null)
                {
                    host = new OpenChunk();
                    chunks.Add(host);
                }

                host.Add(clipped.File, clipped.File.Tokens + SeparatorTokens);
                notSent.Add(new SkippedFile(path, ClippedReason(clipped.FromLine)));
            }
            else
            {
                notSent.Add(new SkippedFile(path, OverBudgetReason(tokens)));
            }
        }

        return new ChunkPlan(Seal(chunks, capacity, counter, notSent), notSent);
    }

    internal static string ClippedReason(int fromLine) => $"clipped: hunks from line {fromLine} on were not sent (token budget)";

    internal static string OverBudgetReason(int tokens) => $"not sent to the model: over the token budget ({tokens} tokens)";

    /// <summary>The leading whole hunks of a file that fit in <paramref name="room"/> tokens, with a note naming the first line left out.</summary>
    private static (ChunkFile File, int FromLine)? Clip(string path, RenderedFile parts, int room, ITokenCounter counter)
    {
        if (parts.Hunks.Count < 2)
        {
            return null;
        }

        var used = counter.Count(parts.Header) + counter.Count(HunkRenderer.ClipNote(int.MaxValue));
        var taken = 0;
        while (taken < parts.Hunks.Count - 1)
        {
            var hunkTokens = counter.Count(parts.Hunks[taken].Text);
            if (used + hunkTokens > room)
            {
                break;
            }

            used += hunkTokens;
            taken++;
        }

        // Sums of parts are an estimate; the exact count of the joined text decides.
        for (; taken > 0; taken--)
        {
            var fromLine = parts.Hunks[taken].NewStart;
            var text = parts.Header + string.Concat(parts.Hunks.Take(taken).Select(h => h.Text)) + HunkRenderer.ClipNote(fromLine);
            var tokens = counter.Count(text);
            if (tokens <= room)
            {
                return (new ChunkFile(path, text, tokens, Clipped: true), fromLine);
            }
        }

        return null;
    }

    /// <summary>
    /// Counts each chunk's text exactly as it is sent (<see cref="JoinedTokens"/>). Token counts of joined texts are not
    /// quite sums, so if a chunk came out over capacity its last files move to <paramref name="notSent"/> until it fits.
    /// </summary>
    private static List<PromptChunk> Seal(List<OpenChunk> chunks, int capacity, ITokenCounter counter, List<SkippedFile> notSent)
    {
        var sealedChunks = new List<PromptChunk>(chunks.Count);
        foreach (var chunk in chunks)
        {
            var files = chunk.Files;
            var tokens = JoinedTokens(files, counter);
            while (tokens > capacity && files.Count > 0)
            {
                var dropped = files[^1];
                files.RemoveAt(files.Count - 1);
                notSent.RemoveAll(s => s.Path == dropped.Path);
                notSent.Add(new SkippedFile(dropped.Path, OverBudgetReason(dropped.Tokens)));
                tokens = JoinedTokens(files, counter);
            }

            if (files.Count > 0)
            {
                sealedChunks.Add(new PromptChunk(files, tokens));
            }
        }

        return sealedChunks;
    }

    /// <summary>
    /// The exact count of <see cref="PromptChunk.Join"/> of <paramref name="files"/>, from the files' own counts instead
    /// of tokenizing the chunk a second time (for the 3,000-file PR that was 0.76 M tokens again).
    /// <para>
    /// Why it is exact: o200k tokenizes each piece its pre-tokenizer regex cuts out on its own, so the count of a text is
    /// the sum over its pieces. The only pieces that can contain a line break are <c>\s*[\r\n]+</c> and the tail
    /// <c>[\r\n/]*</c> of a punctuation run; neither continues past a line break into a line that starts with neither
    /// white space nor <c>/</c>. Every rendered file ends with a line break and starts with its <c>### </c> header
    /// line, so at each joint the pieces of the joined text are those of the two files except around the joint, which
    /// lies wholly within the last line of the earlier file, the separator and the header line of the later one. Hence
    /// count(A + "\n" + B) = count(A) + count(B) + count(lastLine(A) + "\n" + header(B)) − count(lastLine(A)) −
    /// count(header(B)). A joint that does not have that shape (the earlier file's last line is blank or starts with
    /// <c>/</c>) is counted in full. <c>JoinedTokenCountTests</c> checks the formula against a full count on thousands
    /// of random joins of synthetic and real (jQuery) files, and the planner tests compare every chunk's count to a full
    /// count of its text.
    /// </para>
    /// </summary>
    internal static int JoinedTokens(IReadOnlyList<ChunkFile> files, ITokenCounter counter)
    {
        var tokens = 0;
        for (var i = 0; i < files.Count; i++)
        {
            tokens += files[i].Tokens;
            if (i > 0)
            {
                tokens += JointTokens(files[i - 1].Rendered, files[i].Rendered, counter);
            }
        }

        return tokens;
    }

    /// <summary>What joining <paramref name="earlier"/> and <paramref name="later"/> with the separator adds to the sum of their counts.</summary>
    internal static int JointTokens(string earlier, string later, ITokenCounter counter)
    {
        var lastLineStart = earlier.Length < 2 ? 0 : earlier.LastIndexOf('\n', earlier.Length - 2) + 1;
        var headerEnd = later.IndexOf('\n', StringComparison.Ordinal) + 1;
        if (!earlier.EndsWith('\n') || !later.StartsWith("### ", StringComparison.Ordinal) || headerEnd == 0
            || earlier[lastLineStart] == '/' || earlier.AsSpan(lastLineStart).IsWhiteSpace())
        {
            return counter.Count(earlier + "\n" + later) - counter.Count(earlier) - counter.Count(later);
        }

        var lastLine = earlier[lastLineStart..];
        var header = later[..headerEnd];
        return counter.Count(lastLine + "\n" + header) - counter.Count(lastLine) - counter.Count(header);
    }

    private sealed class OpenChunk
    {
        public List<ChunkFile> Files { get; } = [];

        /// <summary>Running estimate: the sum of file counts and separators, corrected when the chunk is sealed.</summary>
        public int Tokens { get; private set; }

        public void Add(ChunkFile file, int cost)
        {
            Files.Add(file);
            Tokens += cost;
        }
    }
}

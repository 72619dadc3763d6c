using System.Globalization;
using Microsoft.Extensions.AI;
using Nectr.Engine.Budget;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;
using Nectr.Tools;

namespace Nectr.Llm;

/// <summary>
/// The bounded tool loop: the model may call the review's read-only tools for up to REVIEW_TOOL_ROUNDS turns, then it
/// is asked for its answer with the tools listed but not callable. Each turn is a paid call, counted once in the
/// reply's usage. Every tool result goes back fenced as untrusted data with the review's nonce. The loop also ends,
/// early, when the tool results fill their token budget (REVIEW_TOOL_TOKENS, never more than the context window has
/// left) or REVIEW_TOOL_SECONDS have passed; a server that refuses tools gets the single question instead, and is not
/// offered tools again in this review. A request refused after tool rounds (a permanent failure, e.g. the conversation
/// grew too long for the provider) also falls back to the single question, its paid rounds still counted.
/// </summary>
internal sealed partial class LlmClient
{
    /// <summary>Tool calls run per model turn; a model asking for more gets an error result for the rest.</summary>
    internal const int MaxToolCallsPerTurn = 8;

    /// <summary>Tokens kept free of tool results for message framing and the final "answer now" turn.</summary>
    private const int ToolMarginTokens = 256;

    /// <summary>Below this many tokens of room, a tool result is not worth asking for: the loop ends.</summary>
    private const int MinToolRoomTokens = 128;

    /// <summary>The paid calls of a question before its final one.</summary>
    private sealed record Spent(int Calls, long InputTokens, long OutputTokens)
    {
        public Spent Add(ChatResponse response) =>
            new(Calls + 1, InputTokens + (response.Usage?.InputTokenCount ?? 0), OutputTokens + (response.Usage?.OutputTokenCount ?? 0));
    }

    /// <summary>
    /// One question with the tools <paramref name="toolbox"/> offers its <see cref="QuestionScope.Focus"/>; the single
    /// call of <see cref="CompleteAsync"/> when it offers none, tools are off, or this review's server refused them.
    /// </summary>
    public async Task<LlmReply> CompleteWithToolsAsync(LlmCall call, ReviewToolbox toolbox, QuestionScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(toolbox);
        ArgumentNullException.ThrowIfNull(scope);
        var limits = toolbox.Options;
        var names = toolbox.NamesFor(scope.Focus);
        if (_toolsRefused || names.Count == 0 || limits.Rounds == 0)
        {
            return await CompleteAsync(call, cancellationToken);
        }

        EnsureEnabled();
        var offered = toolbox.ToolsFor(scope.Focus);
        var messages = Conversation(call.System + "\n\n" + ToolInstructions.System(scope, names, limits.Rounds), call);
        var counter = O200kTokenCounter.Shared;
        var room = Math.Min(limits.Tokens,
            options.ContextTokens - options.OutputTokens - ToolMarginTokens - messages.Sum(m => counter.Count(m.Text)) - DeclarationTokens(offered, counter));
        if (room < MinToolRoomTokens)
        {
            Log.NoToolRoom(logger, toolbox.Target.Owner, toolbox.Target.Repo, toolbox.Target.Number, room);
            return await CompleteAsync(call, cancellationToken);
        }

        var started = time.GetTimestamp();
        Log.Calling(logger, options.Model, messages.Count, call.MaxOutputTokens);
        var spent = new Spent(0, 0, 0);
        var attempts = 0;
        var toolTokens = 0;
        string? stop = null;
        for (var round = 0; ; round++)
        {
            stop ??= round >= limits.Rounds ? string.Create(CultureInfo.InvariantCulture, $"the {limits.Rounds} rounds of tool calls are used")
                : time.GetElapsedTime(started) >= limits.Time ? "the time for tool calls is up"
                : room - toolTokens < MinToolRoomTokens ? "the tool results have used this review's token budget for tools"
                : null;
            if (stop is not null)
            {
                messages.Add(new ChatMessage(ChatRole.User, ToolInstructions.Stop(stop)));
                Log.ToolsStopped(logger, toolbox.Target.Owner, toolbox.Target.Repo, toolbox.Target.Number, round, stop);
            }

            // The last turn still lists the tools: the conversation holds their calls, and Anthropic refuses tool
            // blocks without tool definitions. The tool choice "none" is what takes them away.
            Sent sent;
            try
            {
                sent = await SendAsync(messages, call, new ToolOffer(offered, Final: stop is not null), cancellationToken);
            }
            catch (LlmException ex) when (ex.Permanent && round > 0)
            {
                // The provider refused the conversation the tools built (it grew too long for it, or a result upset
                // it): that is the tools' failure, not the review's. A bad key fails the single question again.
                Log.ToolRoundRefused(logger, toolbox.Target.Owner, toolbox.Target.Repo, toolbox.Target.Number, round, ex.Reason);
                attempts += ex.Attempts;
                sent = new Sent(null, 0, ToolsRefused: true);
            }

            attempts += sent.Attempts;
            if (sent.ToolsRefused)
            {
                var single = await CompleteAsync(call, cancellationToken);
                return single with
                {
                    InputTokens = single.InputTokens + spent.InputTokens,
                    OutputTokens = single.OutputTokens + spent.OutputTokens,
                    Calls = single.Calls + spent.Calls,
                    Attempts = single.Attempts + attempts,
                    Elapsed = time.GetElapsedTime(started),
                };
            }

            var response = sent.Response!;
            var calls = stop is null ? response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList() : [];
            if (calls.Count == 0)
            {
                // An answer (or, on the last turn, whatever the model said: calls it was told not to make are not run).
                return Reply(response, attempts, time.GetElapsedTime(started), spent);
            }

            spent = spent.Add(response);
            messages.AddRange(response.Messages);
            var results = new List<AIContent>(calls.Count);
            using var wall = new CancellationTokenSource(Remaining(limits.Time, started), time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wall.Token);
            for (var i = 0; i < calls.Count; i++)
            {
                var text = i >= MaxToolCallsPerTurn
                    ? string.Create(CultureInfo.InvariantCulture, $"error: not run; at most {MaxToolCallsPerTurn} tool calls are run per turn")
                    : time.GetElapsedTime(started) >= limits.Time
                        ? "error: not run; the time for tool calls is up"
                        : await RunToolAsync(toolbox, scope, calls[i], linked.Token, cancellationToken);
                var result = ToolInstructions.Result(scope, text);
                var tokens = counter.Count(result) + counter.Count(calls[i].Name) + (calls[i].Arguments?.Sum(a => counter.Count(a.Key) + counter.Count(a.Value?.ToString() ?? "")) ?? 0);
                if (toolTokens + tokens > room)
                {
                    result = ToolInstructions.Result(scope, string.Create(CultureInfo.InvariantCulture,
                        $"error: left out; this result ({tokens} tokens) does not fit in what is left of the review's token budget for tools ({Math.Max(0, room - toolTokens)} tokens); ask for less, e.g. a line range"));
                    tokens = counter.Count(result);
                }

                toolTokens += tokens;
                results.Add(new FunctionResultContent(calls[i].CallId, result));
            }

            messages.Add(new ChatMessage(ChatRole.Tool, results));
        }
    }

    /// <summary>A tool call's result text; a call cut off by the loop's wall time says so instead.</summary>
    private static async Task<string> RunToolAsync(ReviewToolbox toolbox, QuestionScope scope, FunctionCallContent call, CancellationToken loop, CancellationToken review)
    {
        try
        {
            return await toolbox.RunAsync(scope.Focus, call.Name, call.Arguments, loop);
        }
        catch (OperationCanceledException) when (!review.IsCancellationRequested)
        {
            return $"error: {call.Name} timed out";
        }
    }

    private TimeSpan Remaining(TimeSpan limit, long started)
    {
        var left = limit - time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static int DeclarationTokens(IReadOnlyList<AITool> tools, O200kTokenCounter counter) =>
        tools.OfType<AIFunctionDeclaration>().Sum(t => counter.Count(t.Name) + counter.Count(t.Description) + counter.Count(t.JsonSchema.GetRawText()));

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Tool calls for {Owner}/{Repo}#{Number} end after {Rounds} round(s): {Reason}.")]
        public static partial void ToolsStopped(ILogger logger, string owner, string repo, int number, int rounds, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The model's provider refused round {Round} of the tool calls for {Owner}/{Repo}#{Number} ({Reason}); asking the single question without tools.")]
        public static partial void ToolRoundRefused(ILogger logger, string owner, string repo, int number, int round, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "No tools for {Owner}/{Repo}#{Number}: the prompt leaves {Room} tokens of the context window for tool results.")]
        public static partial void NoToolRoom(ILogger logger, string owner, string repo, int number, int room);
    }
}

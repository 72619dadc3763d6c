using Nectr.Engine.Review;
using Nectr.Tools;

namespace Nectr.Llm;

/// <summary>
/// The engine's model port on the configured provider: each question goes through <see cref="LlmClient"/> (deadline,
/// retries, the job's retry budget) and is priced with <see cref="PriceTable"/>. With a <paramref name="tools"/>
/// toolbox (a pull request review with REVIEW_TOOL_ROUNDS above 0), a question may first call the read-only tools its
/// focus is offered; the reply is the final answer, and its usage counts every paid call of the loop once.
/// </summary>
internal sealed class LlmReviewModel(LlmClient llm, PriceTable prices, ReviewToolbox? tools = null) : IReviewModel
{
    public async Task<ModelReply> AskAsync(string system, IReadOnlyList<ModelTurn> turns, ResponseSchema? schema, QuestionScope scope, CancellationToken cancellationToken)
    {
        var messages = turns.Select(t => t.Role == TurnRole.Assistant ? LlmMessage.Assistant(t.Text) : LlmMessage.User(t.Text)).ToList();
        var call = new LlmCall(system, messages, llm.Options.OutputTokens, schema?.Json, schema?.Name ?? "response");
        var reply = tools is null
            ? await llm.CompleteAsync(call, cancellationToken)
            : await llm.CompleteWithToolsAsync(call, tools, scope, cancellationToken);
        return new ModelReply(reply.Text, reply.Model, new LlmUsage(reply.Calls, reply.InputTokens, reply.OutputTokens, prices.Cost(reply)));
    }
}

using Nectr.Engine.Review;

namespace Nectr.Llm;

/// <summary>
/// The engine's model port on the configured provider: each question goes through <see cref="LlmClient"/> (deadline,
/// retries, the job's retry budget) and is priced with <see cref="PriceTable"/>.
/// </summary>
internal sealed class LlmReviewModel(LlmClient llm, PriceTable prices) : IReviewModel
{
    public async Task<ModelReply> AskAsync(string system, IReadOnlyList<ModelTurn> turns, ResponseSchema? schema, CancellationToken cancellationToken)
    {
        var messages = turns.Select(t => t.Role == TurnRole.Assistant ? LlmMessage.Assistant(t.Text) : LlmMessage.User(t.Text)).ToList();
        var call = new LlmCall(system, messages, llm.Options.OutputTokens, schema?.Json, schema?.Name ?? "response");
        var reply = await llm.CompleteAsync(call, cancellationToken);
        return new ModelReply(reply.Text, reply.Model, new LlmUsage(1, reply.InputTokens, reply.OutputTokens, prices.Cost(reply)));
    }
}

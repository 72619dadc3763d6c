namespace Nectr.Llm;

/// <summary>
/// What the provider did on the last LLM call this process made, for the <c>llm</c> health check. Reachability is
/// learnt from real calls, never probed: a probe would cost tokens on every load-balancer poll. The one writer is
/// <see cref="LlmClient"/>; a cancelled call says nothing about the provider and is not recorded.
/// </summary>
internal sealed class LlmReachability
{
    private LlmCallOutcome? _last;

    /// <summary>The last call's outcome; null before the first call.</summary>
    public LlmCallOutcome? Last => Volatile.Read(ref _last);

    public void Answered(DateTimeOffset at) => Volatile.Write(ref _last, new LlmCallOutcome(at, null, false));

    public void Failed(DateTimeOffset at, string reason, bool permanent) => Volatile.Write(ref _last, new LlmCallOutcome(at, reason, permanent));
}

/// <summary>One call's outcome: <see cref="Failure"/> is null when the provider answered.</summary>
internal sealed record LlmCallOutcome(DateTimeOffset At, string? Failure, bool Permanent);

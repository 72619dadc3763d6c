using Microsoft.Extensions.Time.Testing;

namespace Nectr.Tests.Llm;

/// <summary>Moves a <see cref="FakeTimeProvider"/> for LLM calls, so deadline and backoff tests never wait real seconds.</summary>
internal static class LlmClock
{
    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="done"/>; small steps, so a wait
    /// started between two of them (a backoff) is crossed without overshooting into the next attempt's deadline.
    /// </summary>
    public static async Task AdvanceUntilAsync(FakeTimeProvider time, TimeSpan step, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the call did not reach the expected point while the clock moved");
            time.Advance(step);
            await Task.Delay(5);
        }
    }
}

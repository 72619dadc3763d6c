namespace Nectr.Jobs;

/// <summary>
/// One retry budget per job run, shared by every resilience pipeline the job's calls go through (GitHub reads and
/// the LLM). Each retry either pipeline wants to make spends one unit; when the budget is empty the failure goes up
/// to the job queue, which retries the whole job later with its own backoff (REVIEW_MAX_ATTEMPTS) instead of
/// hammering a provider that is down. A run that is itself a retry starts with a smaller budget: it already waited.
/// </summary>
/// <remarks>
/// Registered per DI scope (the worker opens one scope per job), and carried to the HTTP pipelines on each request
/// through <see cref="RequestKey"/> — never through a static or an <c>AsyncLocal</c>.
/// Outside a job (the CLI, the dashboard) the scope's budget is simply the first-attempt budget.
/// Sizes (see <see cref="RetryBudgetExtensions.RetriesPerRun"/>): a first run gets the larger of GitHub's per-read retries
/// (3) and <c>LLM_MAX_ATTEMPTS</c> − 1 (default 3) — no new setting; a retried run gets 1.
/// </remarks>
internal sealed class RetryBudget
{
    /// <summary>Key under which a request carries its job's budget (<see cref="HttpRequestMessage.Options"/>).</summary>
    public static readonly HttpRequestOptionsKey<RetryBudget> RequestKey = new("nectr.retry-budget");

    private int _remaining;

    public RetryBudget(int retries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        Total = retries;
        _remaining = retries;
    }

    /// <summary>Retries this run started with.</summary>
    public int Total { get; }

    /// <summary>Retries left.</summary>
    public int Remaining => Math.Max(0, Volatile.Read(ref _remaining));

    /// <summary>Retries spent so far.</summary>
    public int Spent => Total - Remaining;

    /// <summary>Takes one retry if any is left; false means the caller must give up and let the job queue retry.</summary>
    public bool TrySpend()
    {
        while (true)
        {
            var seen = Volatile.Read(ref _remaining);
            if (seen <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _remaining, seen - 1, seen) == seen)
            {
                return true;
            }
        }
    }

    /// <summary>The budget of a job's run: <paramref name="retries"/> on its first attempt, one on a retried run (it already waited the queue's backoff).</summary>
    public static RetryBudget ForAttempt(int jobAttempt, int retries) => new(jobAttempt <= 1 ? retries : Math.Min(retries, 1));
}

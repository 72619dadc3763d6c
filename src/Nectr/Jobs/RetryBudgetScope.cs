using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.GitHub;

namespace Nectr.Jobs;

/// <summary>
/// The <see cref="RetryBudget"/> of one DI scope. The worker opens one scope per job and sizes its budget for the
/// job's attempt (<see cref="ForJob"/>) before anything in the scope asks for it; any other scope (a dashboard
/// request, the CLI, a live-state lookup) gets a first-attempt budget.
/// </summary>
internal sealed class RetryBudgetScope(int retries)
{
    private RetryBudget? _budget;

    /// <summary>The scope's budget: the job's once the worker sized it, else a first-attempt one.</summary>
    public RetryBudget Budget => _budget ??= RetryBudget.ForAttempt(1, retries);

    /// <summary>Sizes the scope's budget for the job's attempt; nothing in the scope may have taken the budget yet.</summary>
    public RetryBudget ForJob(int attempt)
    {
        if (_budget is not null)
        {
            throw new InvalidOperationException("This scope's retry budget was taken before the worker sized it for the job's attempt.");
        }

        return _budget = RetryBudget.ForAttempt(attempt, retries);
    }
}

internal static class RetryBudgetExtensions
{
    /// <summary>Registers the scoped <see cref="RetryBudget"/>; idempotent, so every feature whose calls spend from it may ask.</summary>
    public static IServiceCollection AddRetryBudget(this IServiceCollection services)
    {
        services.TryAddScoped(sp => new RetryBudgetScope(RetriesPerRun(sp.GetRequiredService<IOptions<LlmOptions>>().Value)));
        services.TryAddScoped(sp => sp.GetRequiredService<RetryBudgetScope>().Budget);
        return services;
    }

    /// <summary>
    /// A first run's retries: as many as the more generous of the two per-call limits already set (GitHub's
    /// <see cref="GitHubResilience.MaxRetries"/>, the LLM's <c>LLM_MAX_ATTEMPTS</c> − 1), so any one call may still use
    /// all the retries it had alone, but the job as a whole no more. Default 3.
    /// </summary>
    internal static int RetriesPerRun(LlmOptions llm) => Math.Max(GitHubResilience.MaxRetries, llm.MaxAttempts - 1);
}

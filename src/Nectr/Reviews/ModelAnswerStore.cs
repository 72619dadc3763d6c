using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Engine.Findings;
using Nectr.Engine.Review;

namespace Nectr.Reviews;

/// <summary>
/// The model answers a review job already paid for, kept with the job so that a retry asks only what is still
/// unanswered (see <see cref="ModelAnswerRecord"/>). Without a database (the command line) or a job, nothing is kept.
/// </summary>
internal sealed partial class ModelAnswerStore(IDbContextFactory<NectrDb>? dbs, DbWriteGate? writeGate, TimeProvider time, ILogger<ModelAnswerStore> logger)
{
    /// <summary>What earlier attempts of job <paramref name="jobId"/> were answered, and which attempt this is.</summary>
    public async Task<JobAnswers> OpenAsync(long jobId, CancellationToken cancellationToken)
    {
        if (dbs is null || jobId <= 0)
        {
            return JobAnswers.None;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var attempt = await db.ReviewJobs.Where(j => j.Id == jobId).Select(j => (int?)j.Attempts).FirstOrDefaultAsync(cancellationToken);
        if (attempt is null)
        {
            return JobAnswers.None;
        }

        var stored = await db.ModelAnswers.AsNoTracking().Where(a => a.JobId == jobId).ToListAsync(cancellationToken);
        var answers = new Dictionary<string, StoredAnswer>(StringComparer.Ordinal);
        foreach (var record in stored)
        {
            if (Read(record) is { } answer)
            {
                answers[record.PromptKey] = answer;
            }
        }

        return new JobAnswers(this, jobId, attempt.Value, answers);
    }

    /// <summary>
    /// What earlier attempts of the job paid the model for: the model and every kept answer's calls, tokens and cost.
    /// A retry that finds its review already posted records this, not a review that seems to have cost nothing.
    /// </summary>
    public async Task<(string? Model, LlmUsage Usage)> PaidAsync(long jobId, CancellationToken cancellationToken)
    {
        if (dbs is null || jobId <= 0)
        {
            return (null, LlmUsage.None);
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var stored = await db.ModelAnswers.AsNoTracking().Where(a => a.JobId == jobId).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        if (stored.Count == 0)
        {
            return (null, LlmUsage.None);
        }

        // A price unknown for any call makes the total unknown, as it does for a review that ran in one go.
        var cost = stored.All(a => a.CostUsd is not null) ? stored.Sum(a => a.CostUsd!.Value) : (decimal?)null;
        return (stored[^1].Model, new LlmUsage(stored.Sum(a => a.Calls), stored.Sum(a => a.InputTokens), stored.Sum(a => a.OutputTokens), cost));
    }

    /// <summary>A stable key for one question: SHA-256 over its parts (prompt version, model, answer budget, the prompt text).</summary>
    public static string Key(QuestionKey question) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n\u241E\n",
            question.PromptVersion, question.Model, question.OutputTokens.ToString(CultureInfo.InvariantCulture), question.System, question.User))));

    internal void Reused(long jobId, int attempt) => Log.Reused(logger, jobId, attempt);

    internal async Task SaveAsync(long jobId, string key, StoredAnswer answer)
    {
        // Paid for already: kept even when the run is being cancelled, so the next attempt does not pay again.
        try
        {
            using var _ = await writeGate!.EnterAsync(CancellationToken.None);
            await using var db = await dbs!.CreateDbContextAsync(CancellationToken.None);
            db.ModelAnswers.Add(new ModelAnswerRecord
            {
                JobId = jobId,
                PromptKey = key,
                AnswerJson = answer.Answer is null ? null : AnswerJson.Write(answer.Answer),
                Model = answer.Model,
                Calls = answer.Usage.Calls,
                InputTokens = answer.Usage.InputTokens,
                OutputTokens = answer.Usage.OutputTokens,
                CostUsd = answer.Usage.CostUsd,
                CreatedAt = time.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException)
        {
            // Not keeping it costs a second question on a retry, nothing more; the review itself goes on.
            Log.NotKept(logger, ex, jobId);
        }
    }

    private static StoredAnswer? Read(ModelAnswerRecord record)
    {
        var usage = new LlmUsage(record.Calls, record.InputTokens, record.OutputTokens, record.CostUsd);
        if (record.AnswerJson is null)
        {
            return new StoredAnswer(null, record.Model, usage);
        }

        // Written by AnswerJson.Write, so it parses; if it ever does not, the question is simply asked again.
        return AnswerParser.Parse(record.AnswerJson).Answer is { } answer ? new StoredAnswer(answer, record.Model, usage) : null;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not keep a model answer of job {JobId}; a retry of the job would ask that question again")]
        public static partial void NotKept(ILogger logger, Exception exception, long jobId);

        [LoggerMessage(2, LogLevel.Information, "Job {JobId}, attempt {Attempt}: reused a model answer an earlier attempt paid for")]
        public static partial void Reused(ILogger logger, long jobId, int attempt);
    }
}

/// <summary>The answers one review job has, for one attempt of it. <see cref="JobAttempt"/> is 0 outside the job queue.</summary>
internal sealed class JobAnswers(ModelAnswerStore? store, long jobId, int jobAttempt, Dictionary<string, StoredAnswer> answers) : IAnswerCache
{
    public static JobAnswers None { get; } = new(null, 0, 0, []);

    public long JobId => jobId;

    public int JobAttempt => jobAttempt;

    public StoredAnswer? Find(QuestionKey key)
    {
        var kept = answers.GetValueOrDefault(ModelAnswerStore.Key(key));
        if (kept is not null)
        {
            store?.Reused(jobId, jobAttempt);
        }

        return kept;
    }

    /// <summary>Paid for already: kept even when the run is being cancelled (the token is not passed on), so the next attempt does not pay again.</summary>
    public Task SaveAsync(QuestionKey key, StoredAnswer answer, CancellationToken cancellationToken) =>
        store is null ? Task.CompletedTask : store.SaveAsync(jobId, ModelAnswerStore.Key(key), answer);
}

using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Engine.Memory;
using Nectr.Engine.Prompts;
using Nectr.Llm;

namespace Nectr.Memory;

/// <summary>The review a memory extraction learns from: the PR, and what Nectr posted about it.</summary>
internal sealed record ExtractionRequest(
    long JobId,
    string RepositoryFullName,
    int PullNumber,
    string? Author,
    string Title,
    string? Body,
    IReadOnlyList<string> Paths,
    string ReviewSummary,
    IReadOnlyList<string> Findings);

internal enum ExtractionStatus { Done, Skipped, Failed, TimedOut }

/// <summary>What an extraction came to; <see cref="Reason"/> says why it stored nothing when it did not run or failed.</summary>
internal sealed record ExtractionOutcome(
    ExtractionStatus Status,
    int Proposed,
    int Stored,
    int Updated,
    long InputTokens,
    long OutputTokens,
    decimal? CostUsd,
    string? Model,
    string? Reason)
{
    public static ExtractionOutcome Skipped(string reason) => new(ExtractionStatus.Skipped, 0, 0, 0, 0, 0, null, null, reason);
}

/// <summary>
/// After a review is posted, asks the model (one call through the review's <see cref="LlmClient"/>) for 0–4 memories
/// worth keeping and stores them through <see cref="MemoryStore"/>, deduplicated against the repository's memories.
/// Bounded by MEMORY_EXTRACTION_TIMEOUT_SECONDS; each run is recorded in <c>memory_extractions</c> with its tokens and
/// cost. It never throws except for the caller's cancellation: the review is on GitHub already, and nothing here may
/// change the job's outcome.
/// </summary>
internal sealed partial class MemoryExtraction(
    LlmClient llm,
    PriceTable prices,
    MemoryStore store,
    IOptions<MemoryOptions> options,
    TimeProvider time,
    ILogger<MemoryExtraction> logger)
{
    /// <summary>The existing memories shown to the model, so it proposes what is new.</summary>
    private const int ExistingShown = 40;

    private const int MaxOutputTokens = 1_000;

    public async Task<ExtractionOutcome> ExtractAsync(ExtractionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!llm.Enabled)
        {
            return ExtractionOutcome.Skipped("no LLM is configured");
        }

        if (!options.Value.Extraction)
        {
            return ExtractionOutcome.Skipped("MEMORY_EXTRACTION is off");
        }

        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(options.Value.ExtractionTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var record = new MemoryExtractionRecord
        {
            JobId = request.JobId, RepositoryFullName = request.RepositoryFullName, PullNumber = request.PullNumber, Status = "done",
        };
        try
        {
            if (!await store.IsConnectedAsync(request.RepositoryFullName, linked.Token))
            {
                // Memories are kept only for connected repositories: no model call, nothing to record.
                return ExtractionOutcome.Skipped($"{request.RepositoryFullName} is not connected");
            }

            var existing = await store.ForRepositoryAsync(request.RepositoryFullName, ExistingShown, linked.Token);
            var prompt = MemoryExtractionPrompt.Build(Input(request, existing), ReviewPrompts.NewNonce());
            var reply = await llm.CompleteAsync(
                new LlmCall(prompt.System, [LlmMessage.User(prompt.User)], MaxOutputTokens, MemoryExtractionPrompt.AnswerSchema, "memories"), linked.Token);
            record.Model = reply.Model;
            record.InputTokens = reply.InputTokens;
            record.OutputTokens = reply.OutputTokens;
            record.CostUsd = prices.Cost(reply);
            var parsed = MemoryProposals.Parse(reply.Text);
            record.Proposed = parsed.Kept.Count + parsed.Dropped;
            record.Dropped = parsed.Dropped;
            record.Error = parsed.Problem;
            record.DurationMs = Elapsed(started);
            record.CreatedAt = time.GetUtcNow().UtcDateTime;
            var saved = await store.SaveExtractedAsync(request.RepositoryFullName, request.PullNumber, parsed.Kept, record, linked.Token);
            if (saved is null)
            {
                return Outcome(ExtractionStatus.Skipped, record, $"{request.RepositoryFullName} is not connected");
            }

            return Outcome(ExtractionStatus.Done, record, parsed.Problem);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = $"memory extraction took longer than {options.Value.ExtractionTimeout.TotalSeconds:0.#} s (MEMORY_EXTRACTION_TIMEOUT_SECONDS)";
            Log.TimedOut(logger, request.RepositoryFullName, request.PullNumber, request.JobId, reason);
            return await RecordedAsync(ExtractionStatus.TimedOut, record, reason, started, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var reason = ex is LlmException llmFailure ? "the model did not answer: " + llmFailure.Reason : "memory extraction failed: " + ex.GetType().Name;
            Log.Failed(logger, request.RepositoryFullName, request.PullNumber, request.JobId, reason, ex);
            return await RecordedAsync(ExtractionStatus.Failed, record, reason, started, cancellationToken);
        }
    }

    /// <summary>Records a failed run (what it cost, if the model answered) without throwing: a broken database is logged, not raised.</summary>
    private async Task<ExtractionOutcome> RecordedAsync(ExtractionStatus status, MemoryExtractionRecord record, string reason, long started, CancellationToken cancellationToken)
    {
        record.Status = status == ExtractionStatus.TimedOut ? "timed_out" : "failed";
        record.Error = reason.Length <= MemoryExtractionRecord.MaxErrorLength ? reason : reason[..MemoryExtractionRecord.MaxErrorLength];
        record.Stored = 0;
        record.Updated = 0;
        record.DurationMs = Elapsed(started);
        record.CreatedAt = time.GetUtcNow().UtcDateTime;
        try
        {
            await store.RecordExtractionAsync(record, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.NotRecorded(logger, record.RepositoryFullName, record.PullNumber, record.JobId, ex);
        }

        return Outcome(status, record, reason);
    }

    private static ExtractionOutcome Outcome(ExtractionStatus status, MemoryExtractionRecord record, string? reason) =>
        new(status, record.Proposed, record.Stored, record.Updated, record.InputTokens, record.OutputTokens, record.CostUsd, record.Model, reason);

    private static MemoryExtractionInput Input(ExtractionRequest request, IReadOnlyList<StoredMemory> existing) => new(
        request.RepositoryFullName, request.PullNumber, request.Author, request.Title, request.Body, request.Paths,
        request.ReviewSummary, request.Findings,
        [.. existing.Where(m => m.Type != MemoryTypes.ProjectMap).Select(MemoryRanking.Line)]);

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Repository}#{Number} (job {JobId}): {Reason}; the review stands")]
        public static partial void TimedOut(ILogger logger, string repository, int number, long jobId, string reason);

        [LoggerMessage(2, LogLevel.Warning, "{Repository}#{Number} (job {JobId}): {Reason}; the review stands")]
        public static partial void Failed(ILogger logger, string repository, int number, long jobId, string reason, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "{Repository}#{Number} (job {JobId}): the memory extraction could not be recorded")]
        public static partial void NotRecorded(ILogger logger, string repository, int number, long jobId, Exception exception);
    }
}

using Nectr.Jobs;
using Nectr.Reviews;

namespace Nectr.Events;

/// <summary>
/// The one thing a user does to activity: retry a parked job. Reads go through <see cref="ReviewReadModel"/>, so a
/// delivery the user cannot see cannot be retried either.
/// </summary>
internal sealed partial class ActivityLog(ReviewReadModel reads, JobQueue queue, JobSignal signal, ILogger<ActivityLog> logger)
{
    /// <summary>
    /// Puts the parked job of a delivery the user can see back in the queue (<see cref="JobQueue.RequeueParkedAsync"/>,
    /// which owns the transition); NotParked when it is not parked, including when another request retried it first.
    /// </summary>
    public async Task<RetryResult> RetryAsync(long userId, long deliveryId, CancellationToken cancellationToken)
    {
        if (await reads.DeliveryAsync(userId, deliveryId, cancellationToken) is not { } delivery)
        {
            return RetryResult.NotFound;
        }

        if (delivery.Job?.Id is not { } id || !await queue.RequeueParkedAsync(id, cancellationToken))
        {
            return RetryResult.NotParked;
        }

        Log.Requeued(logger, deliveryId, id, userId);
        signal.Notify();
        return RetryResult.Requeued;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Delivery {DeliveryId}: parked job {JobId} re-queued by user {UserId}")]
        public static partial void Requeued(ILogger logger, long deliveryId, long jobId, long userId);
    }
}

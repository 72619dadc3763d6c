namespace Nectr.Jobs;

/// <summary>
/// Keeps one job's lease alive while its review runs, renewing at a third of the lease, and cancels the review as
/// soon as the lease cannot be trusted any more: a renewal is refused (another worker took the job over), or no
/// renewal has succeeded for so long that the lease could lapse — whatever the reason: the database is unreachable,
/// a renewal hangs or throws anything at all. The review stops a sixth of a lease before the expiry this process
/// last wrote (two renewals may fail in a row before that), so it is over before any successor can claim the job,
/// with room for clock skew between instances.
/// </summary>
internal sealed partial class LeaseKeeper : IAsyncDisposable
{
    private readonly long _jobId;
    private readonly Func<CancellationToken, Task<DateTimeOffset?>> _renew;
    private readonly TimeSpan _margin;
    private readonly PeriodicTimer _every;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    /// <summary>Cancelled when the lease is lost; its timer, on <see cref="_time"/>, is the deadline.</summary>
    private readonly CancellationTokenSource _lost;
    private readonly CancellationTokenSource _run;
    private Task _renewing = Task.CompletedTask;

    private LeaseKeeper(long jobId, Func<CancellationToken, Task<DateTimeOffset?>> renew, TimeSpan lease, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        _jobId = jobId;
        _renew = renew;
        _margin = lease / 6;
        // Created here, not in the loop: renewals stay on the claim's schedule however long each one takes.
        _every = new PeriodicTimer(lease / 3, time);
        _time = time;
        _logger = logger;
        _lost = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _run = CancellationTokenSource.CreateLinkedTokenSource(stopping, _lost.Token);
    }

    /// <summary>The review's token: cancelled when the lease is lost or the process stops.</summary>
    public CancellationToken Token => _run.Token;

    /// <summary>True once the lease can no longer be trusted; the review must then write nothing.</summary>
    public bool Lost => _lost.IsCancellationRequested;

    /// <summary>
    /// Starts keeping the lease that the claim took until <paramref name="leaseUntil"/>; <paramref name="renew"/>
    /// extends it and returns its new expiry, or null when it was lost.
    /// </summary>
    public static LeaseKeeper Start(long jobId, DateTimeOffset leaseUntil, Func<CancellationToken, Task<DateTimeOffset?>> renew, TimeSpan lease,
        TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        var keeper = new LeaseKeeper(jobId, renew, lease, time, logger, stopping);
        keeper.StopBefore(leaseUntil);
        keeper._renewing = Task.Run(keeper.RenewAsync, CancellationToken.None);
        return keeper;
    }

    public async ValueTask DisposeAsync()
    {
        // The review is over: stop renewing. Cancelling the run's own source does not count as losing the lease.
        await _run.CancelAsync();
        await _renewing;
        _every.Dispose();
        _run.Dispose();
        _lost.Dispose();
    }

    private async Task RenewAsync()
    {
        try
        {
            while (await _every.WaitForNextTickAsync(_run.Token))
            {
                DateTimeOffset? until;
                try
                {
                    until = await _renew(_run.Token);
                }
                catch (Exception ex) when (!_run.IsCancellationRequested)
                {
                    // Whatever went wrong, the lease was not extended: the deadline set by the last success stands.
                    Log.RenewFailed(_logger, ex, _jobId);
                    continue;
                }

                if (until is not { } expires)
                {
                    Log.Refused(_logger, _jobId);
                    await _lost.CancelAsync();
                    return;
                }

                StopBefore(expires);
            }
        }
        catch (Exception) when (_run.IsCancellationRequested)
        {
            // The review ended, the lease was lost, or the process is stopping.
        }
        catch (Exception ex)
        {
            // Never leave a review running with nobody keeping its lease.
            Log.RenewFailed(_logger, ex, _jobId);
            await _lost.CancelAsync();
        }
    }

    private void StopBefore(DateTimeOffset leaseUntil)
    {
        var left = leaseUntil - _margin - _time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            _lost.CancelAfter(left);
        }
        else
        {
            _lost.Cancel();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Warning, "Could not renew the lease on job {JobId}; the review stops if no renewal succeeds before the lease could lapse")]
        public static partial void RenewFailed(ILogger logger, Exception exception, long jobId);

        [LoggerMessage(21, LogLevel.Warning, "The lease on job {JobId} was refused on renewal: another worker holds the job or it has ended")]
        public static partial void Refused(ILogger logger, long jobId);
    }
}

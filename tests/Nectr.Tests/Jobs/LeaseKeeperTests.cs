using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Nectr.Jobs;

namespace Nectr.Tests.Jobs;

/// <summary>
/// When a review must stop because its lease cannot be trusted. A 30 s lease is renewed every 10 s and the review
/// stops 5 s before the last expiry written; the clock is fake and each renewal is awaited, so nothing races a timer.
/// </summary>
public sealed class LeaseKeeperTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A renewal the test scripts: each call is announced, then answered by <paramref name="answer"/>.</summary>
    private sealed class Renewals(Func<int, CancellationToken, Task<DateTimeOffset?>> answer)
    {
        private readonly Channel<int> _calls = Channel.CreateUnbounded<int>();
        private int _count;

        public Task<DateTimeOffset?> RenewAsync(CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _count);
            _calls.Writer.TryWrite(call);
            return answer(call, cancellationToken);
        }

        /// <summary>Waits for renewal number <paramref name="call"/>; fails the test if it never comes.</summary>
        public async Task CalledAsync(int call)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (await _calls.Reader.ReadAsync(timeout.Token) < call)
            {
            }
        }
    }

    private static (LeaseKeeper Keeper, FakeTimeProvider Clock) Start(Renewals renewals, CancellationToken stopping)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var keeper = LeaseKeeper.Start(42, clock.GetUtcNow() + Lease, renewals.RenewAsync, Lease, clock, NullLogger.Instance, stopping);
        return (keeper, clock);
    }

    private static async Task CancelledAsync(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = token.Register(() => cancelled.TrySetResult());
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    [Fact]
    public async Task Renewals_that_succeed_keep_the_review_running_long_past_the_first_lease()
    {
        FakeTimeProvider? clock = null;
        var renewals = new Renewals((_, _) => Task.FromResult<DateTimeOffset?>(clock!.GetUtcNow() + Lease));
        (var keeper, clock) = Start(renewals, Ct);
        await using var _ = keeper;

        for (var call = 1; call <= 12; call++)
        {
            clock.Advance(Every);
            await renewals.CalledAsync(call);
            Assert.False(keeper.Token.IsCancellationRequested);
        }

        Assert.False(keeper.Lost);
    }

    [Fact]
    public async Task A_refused_renewal_stops_the_review_at_once()
    {
        var renewals = new Renewals((_, _) => Task.FromResult<DateTimeOffset?>(null));
        var (keeper, clock) = Start(renewals, Ct);
        await using var _ = keeper;

        clock.Advance(Every);

        await CancelledAsync(keeper.Token);
        Assert.True(keeper.Lost);
    }

    [Fact]
    public async Task Renewals_that_throw_anything_stop_the_review_before_the_lease_could_lapse()
    {
        // Not a database exception: the old loop caught only DbException, so this one ended renewal silently.
        var renewals = new Renewals((call, _) => throw new InvalidOperationException($"renewal {call} broke"));
        var (keeper, clock) = Start(renewals, Ct);
        await using var _ = keeper;

        clock.Advance(Every);
        await renewals.CalledAsync(1);
        clock.Advance(Every);
        await renewals.CalledAsync(2);
        Assert.False(keeper.Token.IsCancellationRequested); // 20 s: two renewals may fail before it is unsafe

        clock.Advance(Every); // 30 s, past the 25 s deadline
        await CancelledAsync(keeper.Token);
        Assert.True(keeper.Lost);
    }

    [Fact]
    public async Task A_renewal_that_hangs_stops_the_review_before_the_lease_could_lapse()
    {
        var renewals = new Renewals(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return null;
        });
        var (keeper, clock) = Start(renewals, Ct);
        await using var _ = keeper;

        clock.Advance(Every);
        await renewals.CalledAsync(1);
        clock.Advance(Every);
        Assert.False(keeper.Token.IsCancellationRequested);

        clock.Advance(Every);
        await CancelledAsync(keeper.Token);
        Assert.True(keeper.Lost);
    }

    [Fact]
    public async Task Stopping_the_process_cancels_the_review_without_calling_the_lease_lost()
    {
        using var stopping = new CancellationTokenSource();
        var renewals = new Renewals((_, _) => Task.FromResult<DateTimeOffset?>(null));
        var (keeper, _) = Start(renewals, stopping.Token);
        await using var __ = keeper;

        await stopping.CancelAsync();

        Assert.True(keeper.Token.IsCancellationRequested);
        Assert.False(keeper.Lost);
    }
}

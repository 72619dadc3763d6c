using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Analytics;

internal sealed partial class AnalyticsQueries
{
    /// <summary>The period repository health looks at.</summary>
    public const int HealthDays = 30;

    /// <summary>How many of the most touched files the hotspot part looks at.</summary>
    public const int HealthHotspots = 20;

    /// <summary>Time to review at or under this earns the latency part in full …</summary>
    public static readonly TimeSpan FastReview = TimeSpan.FromMinutes(5);

    /// <summary>… and at or over this earns nothing; in between, linearly.</summary>
    public static readonly TimeSpan SlowReview = TimeSpan.FromMinutes(60);

    /// <summary>
    /// The repository's health over the last <see cref="HealthDays"/> days, 0 to 100: the rounded sum of four parts.
    /// <list type="bullet">
    /// <item><b>verdicts</b> (40): 40 × (approve + ½ × needs_discussion) ÷ reviews;</item>
    /// <item><b>parked_jobs</b> (20): 20 × (1 − parked ÷ (done + parked)) over the review jobs created in the period;</item>
    /// <item><b>review_latency</b> (20): the median time from a review job's creation to its posted review, 20 at
    /// <see cref="FastReview"/> or less, 0 at <see cref="SlowReview"/> or more, linear in between;</item>
    /// <item><b>hotspots</b> (20): 20 × (1 − the share of the <see cref="HealthHotspots"/> most touched files (knowledge
    /// index, all time) that a pull request Nectr last reviewed with request_changes touched).</item>
    /// </list>
    /// A part with nothing to measure (no reviews, no finished jobs, an empty index) earns half its weight: unknown is
    /// neither healthy nor sick. Null when the user cannot see the repository. README's "Analytics" section states the
    /// same formula; change both together.
    /// </summary>
    public async Task<RepoHealthView?> RepoHealthAsync(long userId, string repo, CancellationToken cancellationToken)
    {
        if (await VisibleRepositoryAsync(userId, repo, cancellationToken) is not { } name)
        {
            return null;
        }

        var filter = new AnalyticsFilter(name, null, HealthDays);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var reviews = await ReviewFacts(db, userId, filter).ToListAsync(cancellationToken);
        var since = Since(HealthDays);
        var jobs = await db.ReviewJobs.Where(j => j.Kind == JobKind.Review && j.RepositoryFullName == name && j.CreatedAt >= since && (j.Status == JobStatus.Done || j.Status == JobStatus.Parked))
            .GroupBy(j => j.Status).Select(g => new { Status = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Status, x => x.Count, cancellationToken);
        var hot = await knowledge.HotspotsAsync(name, HealthHotspots, cancellationToken);
        var risks = await knowledge.RisksForAsync(name, [.. hot.Select(h => h.Path)], cancellationToken);

        var components = new[]
        {
            VerdictPart(Mix(reviews.Select(r => r.Verdict))),
            ParkedPart(jobs.GetValueOrDefault(JobStatus.Done), jobs.GetValueOrDefault(JobStatus.Parked)),
            LatencyPart(Spread(reviews.Select(r => Math.Max(0, (r.CreatedAt - r.JobCreatedAt).TotalSeconds))).Median),
            HotspotPart(hot.Count, risks.Count(r => r.ChangesRequested > 0)),
        };
        return new RepoHealthView(name, HealthDays, (int)Math.Clamp(Math.Round(components.Sum(c => c.Points), MidpointRounding.AwayFromZero), 0, 100), components);
    }

    private static HealthComponent VerdictPart(Reviews.VerdictMix mix)
    {
        const int weight = 40;
        var total = mix.Approve + mix.RequestChanges + mix.NeedsDiscussion;
        if (total == 0)
        {
            return Unknown("verdicts", weight, $"no reviews in the last {HealthDays} days");
        }

        var value = (mix.Approve + 0.5 * mix.NeedsDiscussion) / total;
        return new HealthComponent("verdicts", weight, Points(weight, value), Math.Round(value, 3),
            F($"{mix.Approve} approved, {mix.NeedsDiscussion} needing discussion, {mix.RequestChanges} with changes requested of {total} reviews"));
    }

    private static HealthComponent ParkedPart(int done, int parked)
    {
        const int weight = 20;
        if (done + parked == 0)
        {
            return Unknown("parked_jobs", weight, $"no review job finished in the last {HealthDays} days");
        }

        var share = (double)parked / (done + parked);
        return new HealthComponent("parked_jobs", weight, Points(weight, 1 - share), Math.Round(share, 3),
            F($"{parked} of {done + parked} finished review jobs parked (gave up after their last attempt)"));
    }

    private static HealthComponent LatencyPart(double? medianSeconds)
    {
        const int weight = 20;
        if (medianSeconds is not { } median)
        {
            return Unknown("review_latency", weight, $"no reviews in the last {HealthDays} days");
        }

        var value = (SlowReview.TotalSeconds - median) / (SlowReview.TotalSeconds - FastReview.TotalSeconds);
        return new HealthComponent("review_latency", weight, Points(weight, value), median,
            F($"median {median:0} s from job to posted review (full marks at {FastReview.TotalMinutes:0} min or less, none at {SlowReview.TotalMinutes:0} min)"));
    }

    private static HealthComponent HotspotPart(int hotspots, int risky)
    {
        const int weight = 20;
        if (hotspots == 0)
        {
            return Unknown("hotspots", weight, "the knowledge index holds no files of this repository yet");
        }

        var share = (double)risky / hotspots;
        return new HealthComponent("hotspots", weight, Points(weight, 1 - share), Math.Round(share, 3),
            F($"{risky} of the {hotspots} most touched files were changed by a pull request whose last review requested changes"));
    }

    private static HealthComponent Unknown(string name, int weight, string why) => new(name, weight, weight / 2.0, null, why + "; scored half");

    private static double Points(int weight, double fraction) => Math.Round(weight * Math.Clamp(fraction, 0, 1), 2);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// GitHub's REST API for pull requests and reviews, on 127.0.0.1, answering with the shapes of GitHub's OpenAPI
/// examples. It validates what Nectr sends the way GitHub does (a comment off the diff fails the whole review
/// with 422) and records anything it did not expect, which <see cref="AssertNoUnexpectedCalls"/> turns into a failure.
/// </summary>
public sealed partial class FakeGitHub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakePullRequest> _pulls = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly List<PostedReview> _reviews = [];
    private readonly List<StallGate> _stalls = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, byte> _acceptedTokens = new();
    private readonly List<ExtraRoute> _extraRoutes = [];
    private int _rateLimited;
    private TimeSpan _rateLimitReset;
    private bool _secondary;
    private int _failPostsAfterCreate;
    private int _refuseInlineComments;
    private long _nextReviewId = 80_000_000;

    private FakeGitHub(WebApplication app, string token)
    {
        _app = app;
        Token = token;
    }

    public Uri ApiUrl { get; private set; } = null!;

    public string Token { get; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyList<string> UnexpectedCalls => [.. _unexpected];

    public static async Task<FakeGitHub> StartAsync(string token = "ghp_fake_token_for_tests")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGitHub(app, token);
        fake.EnableChecks(); // commit statuses and check runs, as every GitHub serves them
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.ApiUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    public FakePullRequest AddPullRequest(string owner, string repo, int number, string headSha, IEnumerable<FakeFile> files, bool draft = false, string state = "open", string title = "Test PR")
    {
        var pr = new FakePullRequest { Owner = owner, Repo = repo, Number = number, HeadSha = headSha, Files = files.ToList(), Draft = draft, State = state, Title = title };
        _pulls[Key(owner, repo, number)] = pr;
        return pr;
    }

    public IReadOnlyList<PostedReview> ReviewsOn(string owner, string repo, int number)
    {
        lock (_lock)
        {
            return _reviews.Where(r => r.Owner == owner && r.Repo == repo && r.Number == number).ToList();
        }
    }

    public IReadOnlyList<PostedReview> AllReviews()
    {
        lock (_lock)
        {
            return [.. _reviews];
        }
    }

    /// <summary>Waits (polling) until a review is posted on the PR; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<PostedReview> WaitForReviewAsync(string owner, string repo, int number, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (ReviewsOn(owner, repo, number) is [var first, ..])
            {
                return first;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"No review was posted on {owner}/{repo}#{number} within {timeout.TotalSeconds} s. Calls: " +
            string.Join(", ", Requests.Select(r => $"{r.Method} {r.PathAndQuery} → {r.Status}")) +
            (UnexpectedCalls.Count > 0 ? ". Unexpected: " + string.Join("; ", UnexpectedCalls) : ""));
        return null!;
    }

    /// <summary>The next request that matches waits until the gate is released (or the fake stops).</summary>
    public StallGate StallNext(Func<RecordedRequest, bool> match)
    {
        var gate = new StallGate(match);
        lock (_lock)
        {
            _stalls.Add(gate);
        }

        return gate;
    }

    /// <summary>
    /// The next <paramref name="count"/> requests are refused as GitHub refuses them at the limit: 403 with
    /// x-ratelimit-remaining 0 and a reset <paramref name="resetIn"/> ahead, or (secondary) 403 with retry-after.
    /// </summary>
    public void RateLimitNext(int count, TimeSpan resetIn, bool secondary = false)
    {
        lock (_lock)
        {
            _rateLimited = count;
            _rateLimitReset = resetIn;
            _secondary = secondary;
        }
    }

    /// <summary>The next <paramref name="count"/> review POSTs create the review and then answer 502, as a proxy timing out would.</summary>
    public void FailNextPostsAfterCreating(int count)
    {
        lock (_lock)
        {
            _failPostsAfterCreate = count;
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> review POSTs that carry inline comments are refused with GitHub's 422 for a
    /// line it does not consider part of the diff (its view of a diff can differ from Nectr's); nothing is created.
    /// </summary>
    public void RefuseNextInlineComments(int count)
    {
        lock (_lock)
        {
            _refuseInlineComments = count;
        }
    }

    /// <summary>When the limit imposed by <see cref="RateLimitNext"/> resets (null if none was imposed).</summary>
    public DateTimeOffset? RateLimitResetAt { get; private set; }

    public void AssertNoUnexpectedCalls()
    {
        if (!_unexpected.IsEmpty)
        {
            Assert.Fail("The fake GitHub received calls it did not expect:\n" + string.Join('\n', _unexpected));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = await RecordAsync(context);
        var response = context.Response;
        try
        {
            if (await RefusedByOpenApiAsync(context, request))
            {
                return;
            }

            foreach (var gate in TakeStalls(request))
            {
                await gate.HoldAsync(_stopping.Token);
            }

            var extra = FindExtraRoute(request);
            if (extra is { Anonymous: true })
            {
                await extra.Handle(context, request);
                return;
            }

            if (!Authorized(context.Request))
            {
                await Unexpected(context, request, 401, $"{request.Method} {request.PathAndQuery} without the expected bearer token");
                return;
            }

            if (TakeRateLimit() is { } limit)
            {
                WriteRateLimited(response, limit.Reset, limit.Secondary);
                request.Status = response.StatusCode;
                await response.WriteAsync("""{"message":"API rate limit exceeded for user.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}""");
                return;
            }

            WriteRateHeaders(response, remaining: 4999);
            if (IsServiceUserRequest(context.Request))
            {
                await ServiceUserAsync(context, request);
                return;
            }

            if (extra is not null)
            {
                await extra.Handle(context, request);
                return;
            }

            await RouteAsync(context, request);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested || context.RequestAborted.IsCancellationRequested)
        {
            // The fake is stopping or the client went away (it was killed): nothing to answer.
        }
    }

    private async Task RouteAsync(HttpContext context, RecordedRequest request)
    {
        var segments = request.Path.Trim('/').Split('/');
        // repos/{owner}/{repo}/pulls/{number}[/files|/reviews]
        if (segments.Length >= 5 && segments[0] == "repos" && segments[3] == "pulls" && int.TryParse(segments[4], out var number)
            && _pulls.TryGetValue(Key(segments[1], segments[2], number), out var pr))
        {
            var tail = string.Join('/', segments.Skip(5));
            switch (request.Method, tail)
            {
                case ("GET", ""):
                    await WriteJsonAsync(context, request, PullRequestJson(pr), cacheable: true);
                    return;
                case ("GET", "files"):
                    await WritePageAsync(context, request, pr.Files.Take(3000).Select(FileJson).ToList(), 30);
                    return;
                case ("GET", "reviews"):
                    await WritePageAsync(context, request, ReviewsOn(pr.Owner, pr.Repo, pr.Number).Select(ReviewJson).ToList(), 30);
                    return;
                case ("POST", "reviews"):
                    await CreateReviewAsync(context, request, pr);
                    return;
                default:
                    if (await LivingRouteAsync(context, request, pr, tail))
                    {
                        return;
                    }

                    break;
            }
        }

        if (await GraphQLRouteAsync(context, request) || await CompareRouteAsync(context, request, segments) || await CommentsRouteAsync(context, request, segments))
        {
            return;
        }

        if (await ContextRouteAsync(context, request, segments))
        {
            return;
        }

        await Unexpected(context, request, 404, $"{request.Method} {request.PathAndQuery} is not a route of this fake (or names an unknown PR)");
    }

    private async Task<RecordedRequest> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body, DateTimeOffset.UtcNow);
        _requests.Enqueue(recorded);
        return recorded;
    }

    private List<StallGate> TakeStalls(RecordedRequest request)
    {
        lock (_lock)
        {
            var matching = _stalls.Where(g => g.Match(request)).Take(1).ToList();
            _stalls.RemoveAll(matching.Contains);
            return matching;
        }
    }

    private (DateTimeOffset Reset, bool Secondary)? TakeRateLimit()
    {
        lock (_lock)
        {
            if (_rateLimited <= 0)
            {
                return null;
            }

            _rateLimited--;
            RateLimitResetAt ??= DateTimeOffset.UtcNow + _rateLimitReset;
            return (RateLimitResetAt.Value, _secondary);
        }
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : header.StartsWith("token ", StringComparison.Ordinal) ? header[6..] : null;
        return token is not null && (token == Token || _acceptedTokens.ContainsKey(token) || CurrentInstallationToken(token));
    }

    /// <summary>Also accept this bearer token (a signed-in user's OAuth token), besides the service's own.</summary>
    public void AcceptToken(string token) => _acceptedTokens[token] = 0;

    /// <summary>
    /// Adds routes from other parts of the fake (OAuth, repositories, hooks — see the FakeGitHub.*.cs partials).
    /// Anonymous routes skip the bearer-token check (the OAuth endpoints authenticate with client credentials).
    /// </summary>
    internal void AddRoute(Func<RecordedRequest, bool> match, Func<HttpContext, RecordedRequest, Task> handle, bool anonymous = false)
    {
        lock (_lock)
        {
            _extraRoutes.Add(new ExtraRoute(match, handle, anonymous));
        }
    }

    private ExtraRoute? FindExtraRoute(RecordedRequest request)
    {
        lock (_lock)
        {
            return _extraRoutes.FirstOrDefault(r => r.Match(request));
        }
    }

    private sealed record ExtraRoute(Func<RecordedRequest, bool> Match, Func<HttpContext, RecordedRequest, Task> Handle, bool Anonymous);

    private async Task Unexpected(HttpContext context, RecordedRequest request, int status, string why)
    {
        _unexpected.Enqueue(why);
        context.Response.StatusCode = status;
        request.Status = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(status == 401
            ? """{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"""
            : """{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}""");
    }

    private static string Key(string owner, string repo, int number) => $"{owner}/{repo}#{number}".ToLowerInvariant();

    private static void WriteRateHeaders(HttpResponse response, int remaining)
    {
        response.Headers["x-ratelimit-limit"] = "5000";
        response.Headers["x-ratelimit-remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-reset"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-used"] = (5000 - remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-resource"] = "core";
        response.Headers["x-github-api-version-selected"] = "2022-11-28";
    }

    private static void WriteRateLimited(HttpResponse response, DateTimeOffset reset, bool secondary)
    {
        response.StatusCode = 403;
        response.ContentType = "application/json; charset=utf-8";
        if (secondary)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((reset - DateTimeOffset.UtcNow).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return;
        }

        WriteRateHeaders(response, remaining: 0);
        // GitHub's reset is whole epoch seconds; round up so "at the reset" is never earlier than promised.
        response.Headers["x-ratelimit-reset"] = ((reset.ToUnixTimeMilliseconds() + 999) / 1000).ToString(CultureInfo.InvariantCulture);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Nectr.GitHub;

/// <summary>
/// Conditional GETs: remembers the ETag and body of recent responses and revalidates with If-None-Match.
/// GitHub does not count a 304 against the rate limit, so a retried review re-reads its PR for free.
/// </summary>
internal sealed class ETagCacheHandler(ETagCache cache) : DelegatingHandler
{
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Get || request.RequestUri is null)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var key = Key(request);
        var cached = cache.Get(key);
        if (cached is not null)
        {
            request.Headers.IfNoneMatch.Clear();
            request.Headers.IfNoneMatch.Add(cached.ETag);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotModified && cached is not null)
        {
            var fresh = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent(cached.Body) };
            fresh.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
            foreach (var header in response.Headers)
            {
                fresh.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            if (cached.Link is not null && !fresh.Headers.Contains("Link"))
            {
                fresh.Headers.TryAddWithoutValidation("Link", cached.Link);
            }

            response.Dispose();
            return fresh;
        }

        if (response.StatusCode == HttpStatusCode.OK && response.Headers.ETag is { } etag
            && response.Content.Headers.ContentLength is null or <= MaxBodyBytes)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var link = response.Headers.TryGetValues("Link", out var links) ? string.Join(",", links) : null;
            cache.Put(key, new ETagCache.Entry(etag, body, link));
            var headers = response.Content.Headers.ToList();
            response.Content = new ByteArrayContent(body);
            foreach (var header in headers)
            {
                response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return response;
    }

    /// <summary>The key includes a hash of the credentials so one token never sees another token's cached answer.</summary>
    private static string Key(HttpRequestMessage request)
    {
        var auth = request.Headers.Authorization?.ToString() ?? "";
        var authHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(auth)), 0, 8);
        return authHash + " " + request.RequestUri!.AbsoluteUri;
    }
}

/// <summary>Least-recently-used store behind <see cref="ETagCacheHandler"/>; a singleton so it outlives handler rotation.</summary>
internal sealed class ETagCache
{
    private const int MaxEntries = 512;
    private readonly Dictionary<string, Entry> _entries = [];
    private readonly LinkedList<string> _order = new();
    private readonly Lock _lock = new();

    public Entry? Get(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                return null;
            }

            _order.Remove(entry.Node!);
            _order.AddFirst(entry.Node!);
            return entry;
        }
    }

    public void Put(string key, Entry entry)
    {
        lock (_lock)
        {
            if (_entries.Remove(key, out var old))
            {
                _order.Remove(old.Node!);
            }

            entry.Node = _order.AddFirst(key);
            _entries[key] = entry;
            while (_entries.Count > MaxEntries && _order.Last is { } last)
            {
                _entries.Remove(last.Value);
                _order.RemoveLast();
            }
        }
    }

    public sealed record Entry(EntityTagHeaderValue ETag, byte[] Body, string? Link)
    {
        public LinkedListNode<string>? Node { get; set; }
    }
}

using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Net.Http.Headers;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// A browser over an in-process app at https://localhost that keeps cookies itself (so a test can read every
/// Set-Cookie attribute, drop a cookie or replay an old one) and never follows redirects.
/// </summary>
public sealed class CookieBrowser : IDisposable
{
    private readonly HttpClient _client;

    /// <param name="app">The app.</param>
    /// <param name="baseAddress">https://localhost/ unless a test needs another scheme or host (plain http://localhost/).</param>
    public CookieBrowser(WebApplicationFactory<Program> app, Uri? baseAddress = null)
    {
        _client = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = baseAddress ?? new Uri("https://localhost/"),
            AllowAutoRedirect = false,
            HandleCookies = false,
        });
    }

    /// <summary>Cookies the browser holds now, by name.</summary>
    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    /// <summary>Every Set-Cookie the app sent, in order, as parsed headers.</summary>
    public List<SetCookieHeaderValue> SetCookies { get; } = [];

    public Task<HttpResponseMessage> GetAsync(string url, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, url), cancellationToken);

    /// <summary>Submits an HTML form (application/x-www-form-urlencoded), as a browser's button does.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) }, cancellationToken);

    /// <summary>Sends <paramref name="request"/> (and disposes it) with the cookies held, and keeps those the answer sets.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var _ = request;
        if (Cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await _client.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var header in SetCookieHeaderValue.ParseList(values.ToList()))
            {
                SetCookies.Add(header);
                if (!Accepts(header))
                {
                    Rejected.Add(header);
                    continue;
                }

                var expired = header.Expires is { } expires && expires < DateTimeOffset.UtcNow;
                if (expired || header.Value.Length == 0)
                {
                    Cookies.Remove(header.Name.ToString());
                }
                else
                {
                    Cookies[header.Name.ToString()] = header.Value.ToString();
                }
            }
        }

        return response;
    }

    /// <summary>Set-Cookies a browser would have refused, as <see cref="Accepts"/> decides.</summary>
    public List<SetCookieHeaderValue> Rejected { get; } = [];

    /// <summary>
    /// What browsers enforce: a <c>__Host-</c> cookie needs Secure, Path=/ and no Domain, and (strictest browser
    /// rule, without the localhost exemption some make) a Secure cookie is not kept from a plain-HTTP page.
    /// </summary>
    private bool Accepts(SetCookieHeaderValue header)
    {
        var https = _client.BaseAddress?.Scheme == Uri.UriSchemeHttps;
        if (header.Name.StartsWith("__Host-", StringComparison.Ordinal) && (!header.Secure || header.Path != "/" || header.Domain.HasValue))
        {
            return false;
        }

        return https || !header.Secure;
    }

    /// <summary>The last Set-Cookie for <paramref name="name"/> that set a value (not a deletion).</summary>
    public SetCookieHeaderValue LastSet(string name) =>
        SetCookies.Last(c => c.Name.ToString() == name && c.Value.Length > 0 && (c.Expires is null || c.Expires > DateTimeOffset.UtcNow));

    public void Dispose() => _client.Dispose();
}

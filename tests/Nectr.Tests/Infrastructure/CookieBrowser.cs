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

    public CookieBrowser(WebApplicationFactory<Program> app)
    {
        _client = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://localhost/"),
            AllowAutoRedirect = false,
            HandleCookies = false,
        });
    }

    /// <summary>Cookies the browser holds now, by name.</summary>
    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    /// <summary>Every Set-Cookie the app sent, in order, as parsed headers.</summary>
    public List<SetCookieHeaderValue> SetCookies { get; } = [];

    public async Task<HttpResponseMessage> GetAsync(string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
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

    /// <summary>The last Set-Cookie for <paramref name="name"/> that set a value (not a deletion).</summary>
    public SetCookieHeaderValue LastSet(string name) =>
        SetCookies.Last(c => c.Name.ToString() == name && c.Value.Length > 0 && (c.Expires is null || c.Expires > DateTimeOffset.UtcNow));

    public void Dispose() => _client.Dispose();
}

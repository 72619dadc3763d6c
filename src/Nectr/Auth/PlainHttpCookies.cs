using System.Collections;
using Microsoft.AspNetCore.Http.Features;

namespace Nectr.Auth;

/// <summary>
/// Nectr's cookies are <c>__Host-</c> cookies, and over HTTPS they stay exactly that (Secure, Path=/, no Domain).
/// A browser refuses a <c>__Host-</c> cookie without Secure, and a Secure cookie is not for plain HTTP, so on a request
/// over plain HTTP (a developer's http://localhost) this middleware carries them without the prefix on the wire:
/// the app still reads and writes <c>__Host-nectr…</c>, the browser sees <c>nectr…</c>. It is the one place that
/// knows: the session, antiforgery and sign-in-state code keep their single names. Antiforgery in particular fixes
/// its cookie name in options at start-up (its token store is internal), so it cannot choose a name per request.
/// A request over HTTPS never gets here, so an unprefixed cookie planted over HTTP is never read there.
/// </summary>
internal static class PlainHttpCookies
{
    private const string HostPrefix = "__Host-";
    private const string NectrPrefix = HostPrefix + "nectr";

    public static IApplicationBuilder UsePlainHttpCookies(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (!context.Request.IsHttps)
        {
            var features = context.Features;
            features.Set<IRequestCookiesFeature>(new RequestFeature(features.Get<IRequestCookiesFeature>() ?? new RequestCookiesFeature(features)));
            features.Set<IResponseCookiesFeature>(new ResponseFeature(features.Get<IResponseCookiesFeature>() ?? new ResponseCookiesFeature(features)));
        }

        return next(context);
    });

    /// <summary>The name on the wire over plain HTTP: <c>__Host-nectr…</c> without its prefix; other cookies unchanged.</summary>
    internal static string WireName(string name) =>
        name.StartsWith(NectrPrefix, StringComparison.Ordinal) ? name[HostPrefix.Length..] : name;

    private sealed class RequestFeature(IRequestCookiesFeature wire) : IRequestCookiesFeature
    {
        public IRequestCookieCollection Cookies
        {
            get => new RequestCookies(wire.Cookies);
            set => wire.Cookies = value;
        }
    }

    private sealed class RequestCookies(IRequestCookieCollection wire) : IRequestCookieCollection
    {
        public string? this[string key] => wire[WireName(key)];

        public int Count => Visible().Count();

        public ICollection<string> Keys => Visible().Select(c => c.Key).ToList();

        public bool ContainsKey(string key) => wire.ContainsKey(WireName(key));

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => wire.TryGetValue(WireName(key), out value);

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Visible().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        // A real __Host-nectr… cookie (some browsers send Secure cookies to http://localhost) is not the one this site set
        // over HTTP: hidden, so the app sees one cookie per name.
        private IEnumerable<KeyValuePair<string, string>> Visible() => wire
            .Where(c => !c.Key.StartsWith(NectrPrefix, StringComparison.Ordinal))
            .Select(c => c.Key.StartsWith("nectr", StringComparison.Ordinal) ? new KeyValuePair<string, string>(HostPrefix + c.Key, c.Value) : c);
    }

    private sealed class ResponseFeature(IResponseCookiesFeature wire) : IResponseCookiesFeature
    {
        public IResponseCookies Cookies => new ResponseCookies(wire.Cookies);
    }

    private sealed class ResponseCookies(IResponseCookies wire) : IResponseCookies
    {
        public void Append(string key, string value) => wire.Append(WireName(key), value);

        public void Append(string key, string value, CookieOptions options) => wire.Append(WireName(key), value, options);

        public void Append(ReadOnlySpan<KeyValuePair<string, string>> keyValuePairs, CookieOptions options)
        {
            var renamed = new KeyValuePair<string, string>[keyValuePairs.Length];
            for (var i = 0; i < keyValuePairs.Length; i++)
            {
                renamed[i] = new(WireName(keyValuePairs[i].Key), keyValuePairs[i].Value);
            }

            wire.Append(renamed, options);
        }

        public void Delete(string key) => wire.Delete(WireName(key));

        public void Delete(string key, CookieOptions options) => wire.Delete(WireName(key), options);
    }
}

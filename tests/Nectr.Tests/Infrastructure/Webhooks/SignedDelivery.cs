using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Nectr.Tests.Infrastructure;

/// <summary>Builds a webhook request exactly as GitHub's Hookshot sends it, signed with HMAC-SHA256 (and SHA-1).</summary>
public static class SignedDelivery
{
    public const string Path = "/api/v1/webhooks/github";

    public static HttpRequestMessage Create(string eventName, byte[] body, string secret, string? deliveryId = null, Uri? baseUrl = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, baseUrl is null ? new Uri(Path, UriKind.Relative) : new Uri(baseUrl, Path))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.ParseAdd("GitHub-Hookshot/abc1234");
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", deliveryId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-GitHub-Hook-ID", "424242");
        var key = Encoding.UTF8.GetBytes(secret);
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body)));
#pragma warning disable CA5350 // GitHub still sends the legacy SHA-1 signature; sent here to look like GitHub, never verified.
        request.Headers.Add("X-Hub-Signature", "sha1=" + Convert.ToHexStringLower(HMACSHA1.HashData(key, body)));
#pragma warning restore CA5350
        if (RepositoryId(body) is { } repoId)
        {
            request.Headers.Add("X-GitHub-Hook-Installation-Target-Type", "repository");
            request.Headers.Add("X-GitHub-Hook-Installation-Target-ID", repoId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return request;
    }

    private static long? RepositoryId(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("repository", out var repo) && repo.TryGetProperty("id", out var id) ? id.GetInt64() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nectr.GitHubApp;

/// <summary>What GitHub answers to a manifest code: the new App, its private key and its secrets (never logged or shown).</summary>
internal sealed record ConvertedApp(
    long Id,
    string Slug,
    string? Name,
    string? HtmlUrl,
    string? ClientId,
    string? ClientSecret,
    string? WebhookSecret,
    string Pem);

/// <summary>
/// <c>POST /app-manifests/{code}/conversions</c>: turns the code GitHub sent back into the App. The call needs no
/// token (the code is the credential, valid once for an hour), so it has a client of its own without the service's
/// auth handler: no token of Nectr's is sent along with it.
/// </summary>
internal sealed partial class AppManifestConversion(HttpClient http, ILogger<AppManifestConversion> logger)
{
    public const string HttpClientName = "Nectr.AppManifestConversion";

    /// <summary>The App, or null when GitHub refused the code or could not be reached (logged without the answer's body).</summary>
    public async Task<ConvertedApp?> ConvertAsync(string code, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsync(new Uri($"app-manifests/{Uri.EscapeDataString(code)}/conversions", UriKind.Relative), null, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Log.Refused(logger, (int)response.StatusCode);
                return null;
            }

            var answer = await response.Content.ReadFromJsonAsync(AppManifestJsonContext.Default.ConversionAnswer, cancellationToken);
            if (answer is not { Id: > 0, Slug: { Length: > 0 } slug, Pem: { Length: > 0 } pem })
            {
                Log.Incomplete(logger);
                return null;
            }

            return new ConvertedApp(answer.Id, slug, answer.Name, answer.HtmlUrl, answer.ClientId, answer.ClientSecret, answer.WebhookSecret, pem);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.Failed(logger, ex.GetType().Name);
            return null;
        }
    }

    internal sealed record ConversionAnswer(
        long Id,
        string? Slug,
        string? Name,
        string? HtmlUrl,
        string? ClientId,
        string? ClientSecret,
        string? WebhookSecret,
        string? Pem);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "GitHub refused the App manifest code with status {Status}")]
        public static partial void Refused(ILogger logger, int status);

        [LoggerMessage(2, LogLevel.Warning, "GitHub's answer to the App manifest code lacks the App's id, slug or private key")]
        public static partial void Incomplete(ILogger logger);

        // Only the exception's type: its message could quote the answer.
        [LoggerMessage(3, LogLevel.Warning, "Converting the App manifest code failed: {Failure}")]
        public static partial void Failed(ILogger logger, string failure);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AppManifestConversion.ConversionAnswer))]
internal sealed partial class AppManifestJsonContext : JsonSerializerContext;

using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Nectr.GitHub;

namespace Nectr.Webhooks;

/// <summary>
/// <c>POST /api/v1/webhooks/github</c>. Order matters: size limit, then signature over the raw bytes, then
/// parsing, then durable storage, and only then a 2xx (DESIGN §6).
/// </summary>
internal static partial class WebhookEndpoints
{
    public const string Path = "/api/v1/webhooks/github";

    /// <summary>GitHub caps payloads at 25 MB; anything larger is not from GitHub.</summary>
    public const int MaxBodyBytes = 25 * 1024 * 1024;

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ReceiveAsync)
            .WithName("GitHubWebhook")
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Ok<WebhookResponse>, Accepted<WebhookResponse>, ProblemHttpResult>> ReceiveAsync(
        HttpContext context,
        WebhookSecrets secretStore,
        WebhookIntake intake,
        SignatureFailureLog failures,
        PullRequestStateCache prStates,
        ILogger<WebhookIntake> logger,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var deliveryId = request.Headers["X-GitHub-Delivery"].ToString();
        if (request.ContentLength > MaxBodyBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {MaxBodyBytes / 1024 / 1024} MB.");
        }

        var secrets = await secretStore.ForDeliveryAsync(
            request.Headers["X-GitHub-Hook-Installation-Target-Type"], request.Headers["X-GitHub-Hook-Installation-Target-ID"], cancellationToken);
        var signature = request.Headers[WebhookSignature.HeaderName].ToString();

        // Without a secret or a signature nothing can verify, so the body is not even read.
        var body = secrets.Count == 0 || signature.Length == 0 ? [] : await ReadBodyAsync(context, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {MaxBodyBytes / 1024 / 1024} MB.");
        }

        var check = WebhookSignature.Verify(body, signature, secrets);
        if (check != SignatureCheck.Valid)
        {
            Log.Rejected(logger, deliveryId, check);
            if (check != SignatureCheck.NoSecretConfigured && TargetRepositoryId(request) is { } repositoryId)
            {
                failures.Record(repositoryId);
            }

            return Problem(StatusCodes.Status401Unauthorized, "Signature not verified", check switch
            {
                SignatureCheck.NoSecretConfigured => "No webhook secret is configured for this repository: set GITHUB_WEBHOOK_SECRET (or connect the repository) and use the same value on GitHub.",
                SignatureCheck.Missing => "X-Hub-Signature-256 is missing: set a secret on the GitHub webhook.",
                SignatureCheck.Malformed => "X-Hub-Signature-256 is not of the form sha256=<64 hex digits>.",
                _ => "X-Hub-Signature-256 does not match: the webhook's secret differs from Nectr's.",
            });
        }

        var eventName = request.Headers["X-GitHub-Event"].ToString();
        if (eventName.Length == 0 || deliveryId.Length == 0 || deliveryId.Length > 100)
        {
            return Problem(StatusCodes.Status400BadRequest, "Missing GitHub headers", "X-GitHub-Event and X-GitHub-Delivery (at most 100 characters) are required.");
        }

        if (Parse(body, eventName) is not { } parsed)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed payload", $"The {eventName} payload is not valid JSON with the fields Nectr needs.");
        }

        IntakeResult result;
        try
        {
            result = await intake.AcceptAsync(deliveryId, eventName, parsed.Text, parsed.Payload, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not stored means not acknowledged: GitHub records a failed delivery that can be redelivered.
            Log.StoreFailed(logger, ex, deliveryId);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Delivery not stored", "The database could not store this delivery; redeliver it from GitHub once Nectr is healthy.");
        }

        if (!result.Duplicate)
        {
            ObserveState(prStates, eventName, parsed.Payload);
        }

        var response = new WebhookResponse(deliveryId, result.Duplicate, result.Outcome.ToString().ToLowerInvariant(), result.JobId, result.Reason);
        Log.Accepted(logger, deliveryId, eventName, parsed.Payload.Action, response.Outcome);
        return result.Duplicate || result.JobId is null ? TypedResults.Ok(response) : TypedResults.Accepted((string?)null, response);
    }

    /// <summary>Reads at most <see cref="MaxBodyBytes"/>; null when the body is larger (chunked uploads carry no length).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes + 1L;
        }

        var capacity = (int)Math.Min(context.Request.ContentLength ?? 16 * 1024, MaxBodyBytes);
        using var buffer = new MemoryStream(capacity);
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    private static (string Text, WebhookPayload Payload)? Parse(byte[] body, string eventName)
    {
        try
        {
            var text = new UTF8Encoding(false, true).GetString(body);
            var payload = JsonSerializer.Deserialize(body, WebhookJsonContext.Default.WebhookPayload);
            if (payload is null)
            {
                return null;
            }

            if (eventName == "pull_request" && (payload.PullRequest?.Head?.Sha is null || payload.Repository?.FullName is null))
            {
                return null;
            }

            return (text, payload);
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The repository GitHub names in the headers (not the body, which is not trusted before verification).</summary>
    private static long? TargetRepositoryId(HttpRequest request) =>
        string.Equals(request.Headers["X-GitHub-Hook-Installation-Target-Type"], "repository", StringComparison.OrdinalIgnoreCase)
        && long.TryParse(request.Headers["X-GitHub-Hook-Installation-Target-ID"], System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    /// <summary>A stored close or reopen is the PR's newest state: the live-state cache takes it without asking GitHub.</summary>
    private static void ObserveState(PullRequestStateCache prStates, string eventName, WebhookPayload payload)
    {
        if (eventName == "pull_request" && payload is { Action: "closed" or "reopened", PullRequest: { } pr, Repository.FullName: { } repo })
        {
            prStates.Set(repo, pr.Number, payload.Action == "reopened" ? PullRequestLiveState.Open
                : pr.Merged == true ? PullRequestLiveState.Merged : PullRequestLiveState.Closed);
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Webhook {DeliveryId} rejected: signature {Check}")]
        public static partial void Rejected(ILogger logger, string deliveryId, SignatureCheck check);

        [LoggerMessage(2, LogLevel.Error, "Webhook {DeliveryId} could not be stored")]
        public static partial void StoreFailed(ILogger logger, Exception exception, string deliveryId);

        [LoggerMessage(3, LogLevel.Debug, "Webhook {DeliveryId} {Event}.{Action} → {Outcome}")]
        public static partial void Accepted(ILogger logger, string deliveryId, string @event, string? action, string outcome);
    }
}

internal sealed record WebhookResponse(string DeliveryId, bool Duplicate, string Outcome, long? JobId, string? Reason);

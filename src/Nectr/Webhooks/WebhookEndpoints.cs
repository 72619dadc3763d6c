using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Nectr.Commands;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.Webhooks;

/// <summary>
/// <c>POST /api/v1/webhooks/github</c>. Order matters: size limit, the one secret the headers allow, the signature
/// header, a reservation in the in-flight budget, the HMAC over the raw bytes as they arrive, then parsing and field
/// checks, the payload's repository against the hook's, durable storage, and only then a 2xx (DESIGN §6).
/// </summary>
internal static partial class WebhookEndpoints
{
    public const string Path = "/api/v1/webhooks/github";

    /// <summary>GitHub caps payloads at 25 MB; anything larger is not from GitHub.</summary>
    public const int MaxBodyBytes = 25 * 1024 * 1024;

    /// <summary>Seconds a client is asked to wait when the in-flight budget is full.</summary>
    public const int RetryAfterSeconds = 5;

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ReceiveAsync)
            .WithName("GitHubWebhook")
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Ok<WebhookResponse>, Accepted<WebhookResponse>, ProblemHttpResult>> ReceiveAsync(
        HttpContext context,
        [AsParameters] WebhookServices services,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var logger = services.Logger;
        var deliveryId = request.Headers["X-GitHub-Delivery"].ToString();
        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        var secret = await services.Secrets.ForDeliveryAsync(
            request.Headers["X-GitHub-Hook-Installation-Target-Type"], request.Headers["X-GitHub-Hook-Installation-Target-ID"], cancellationToken);
        if (secret.Secret is null)
        {
            Log.Rejected(logger, deliveryId, SignatureCheck.NoSecretConfigured);
            return Unauthorized(secret.Source switch
            {
                SecretSource.RepositoryUnreadable => "This repository's own webhook secret cannot be decrypted (the Data Protection key ring changed): Disconnect and Connect the repository again to give it a new secret.",
                SecretSource.OtherApp => "This delivery comes from a GitHub App other than Nectr's (X-GitHub-Hook-Installation-Target-ID is not GITHUB_APP_ID).",
                _ => "No webhook secret is configured for this repository: set GITHUB_WEBHOOK_SECRET (or connect the repository) and use the same value on GitHub.",
            });
        }

        // A missing or malformed signature is refused before a byte of the body is read.
        var claimed = new byte[32];
        var check = WebhookSignature.ParseHeader(request.Headers[WebhookSignature.HeaderName], claimed);
        if (check != SignatureCheck.Valid)
        {
            Log.Rejected(logger, deliveryId, check);
            return Unauthorized(check == SignatureCheck.Missing
                ? "X-Hub-Signature-256 is missing: set a secret on the GitHub webhook."
                : "X-Hub-Signature-256 is not of the form sha256=<64 hex digits>.");
        }

        using var reservation = services.Budget.Open();
        using var hmac = WebhookSignature.CreateHmac(secret.Secret);
        var read = await WebhookBodyReader.ReadAsync(context, hmac, claimed, reservation, services.Time, cancellationToken);
        switch (read.Status)
        {
            case BodyStatus.TooLarge:
                return TooLarge();
            case BodyStatus.OverBudget:
                Log.OverBudget(logger, deliveryId, services.Budget.Limit / 1024 / 1024);
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status503ServiceUnavailable, "Busy", "Too many webhook bodies are being received at once (WEBHOOK_MAX_INFLIGHT_MB); redeliver this one shortly.");
            case BodyStatus.NotReceived:
                Log.NotReceived(logger, deliveryId, read.Problem!);
                return BadRequest("Body not received", "The request body did not arrive: " + read.Problem);
            default:
                break;
        }

        if (read.Check != SignatureCheck.Valid)
        {
            Log.Rejected(logger, deliveryId, read.Check);
            if (secret is { TargetConnected: true, TargetRepositoryId: { } connectedId })
            {
                // Counted only for a repository Nectr is connected to, and only for a well-formed signature that does
                // not match: that is what a rotated or mistyped secret looks like, and what Settings explains.
                services.Failures.Record(connectedId);
            }

            return Unauthorized("X-Hub-Signature-256 does not match: the webhook's secret differs from Nectr's.");
        }

        return await AcceptVerifiedAsync(context, services, deliveryId, secret, read.Body!, cancellationToken);
    }

    private static async Task<Results<Ok<WebhookResponse>, Accepted<WebhookResponse>, ProblemHttpResult>> AcceptVerifiedAsync(
        HttpContext context, WebhookServices services, string deliveryId, DeliverySecret secret, byte[] body, CancellationToken cancellationToken)
    {
        var logger = services.Logger;
        var eventHeader = context.Request.Headers["X-GitHub-Event"];
        var eventName = eventHeader.ToString();
        if (WebhookValidation.HeaderProblem(eventHeader, context.Request.Headers["X-GitHub-Delivery"]) is { } headerProblem)
        {
            Log.Invalid(logger, deliveryId.Length <= 100 ? deliveryId : "?", headerProblem);
            return BadRequest("Missing or invalid GitHub headers", headerProblem);
        }

        if (WebhookValidation.IsFormEncoded(context.Request.ContentType))
        {
            Log.Invalid(logger, deliveryId, "form-encoded: the webhook's content type is not application/json");
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Webhook content type is not JSON",
                "This webhook sends application/x-www-form-urlencoded. On GitHub, edit the webhook, set Content type to application/json, and redeliver.");
        }

        if (Parse(body) is not { } payload)
        {
            Log.Invalid(logger, deliveryId, "not valid UTF-8 JSON");
            return BadRequest("Malformed payload", $"The {eventName} payload is not valid JSON with the fields Nectr needs.");
        }

        if (WebhookValidation.PayloadProblem(eventName, payload) is { } payloadProblem)
        {
            Log.Invalid(logger, deliveryId, payloadProblem);
            return BadRequest("Invalid payload", payloadProblem);
        }

        if (await RepositoryProblemAsync(services.Secrets, secret, payload, cancellationToken) is { } repositoryProblem)
        {
            Log.Refused(logger, deliveryId, repositoryProblem);
            return Unauthorized(repositoryProblem);
        }

        // A PR comment is a command or skipped with the reason why not (Commands/CommandIntake).
        var command = CommandIntake.Read(eventName, payload, services.Commands.Value.Handle);
        var skip = await SentByNectrAsync(services.Identity, eventName, payload, cancellationToken)
            ?? (command is not null ? command.SkipReason : IntakePolicy.SkipReason(eventName, payload, services.Review.Value,
                eventName == "check_run" ? (await services.Apps.GetAsync(cancellationToken))?.AppId : null));
        IntakeResult result;
        try
        {
            result = await services.Intake.AcceptAsync(deliveryId, eventName, DeliveryPayload.Compress(body), payload, skip, skip is null ? command : null, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not stored means not acknowledged: GitHub records a failed delivery that can be redelivered.
            Log.StoreFailed(logger, ex, deliveryId);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Delivery not stored", "The database could not store this delivery; redeliver it from GitHub once Nectr is healthy.");
        }

        if (!result.Duplicate)
        {
            ObserveState(services.PullRequestStates, eventName, payload);
        }

        var response = new WebhookResponse(deliveryId, result.Duplicate, result.Outcome.ToString().ToLowerInvariant(), result.JobId, result.Reason);
        Log.Accepted(logger, deliveryId, eventName, payload.Action, response.Outcome);
        return result.Duplicate || result.JobId is null ? TypedResults.Ok(response) : TypedResults.Accepted((string?)null, response);
    }

    /// <summary>
    /// The verified payload must be about the repository whose webhook sent it: otherwise whoever holds one
    /// repository's secret could sign deliveries for another. A delivery from anything but a repository hook (an
    /// organisation hook, or no target headers) was verified with the global secret, so it may not name a repository
    /// that has a secret of its own.
    /// </summary>
    private static async Task<string?> RepositoryProblemAsync(WebhookSecrets secrets, DeliverySecret secret, WebhookPayload payload, CancellationToken cancellationToken)
    {
        if (payload.Repository is not { } repository)
        {
            return null;
        }

        if (secret.TargetRepositoryId is { } target)
        {
            return repository.Id == target ? null
                : "The payload names a different repository than the webhook that sent it (X-GitHub-Hook-Installation-Target-ID).";
        }

        return await secrets.HasOwnSecretAsync(repository.Id, cancellationToken)
            ? "This repository has its own webhook secret: only its own repository webhook can deliver for it, not an organisation hook or the global secret."
            : null;
    }

    /// <summary>The events Nectr's own actions cause on GitHub: its reviews, their comments, and (later) its answers.</summary>
    private static readonly HashSet<string> CausedByNectr = new(StringComparer.Ordinal)
    {
        "pull_request_review", "pull_request_review_comment", "pull_request_review_thread", "issue_comment",
    };

    /// <summary>
    /// Nectr never acts on what it did itself: such a delivery is kept and skipped. "Itself" is the account of its
    /// token acting as Nectr, i.e. the events its reviews and comments cause, or anything a bot account with its
    /// login sends. A pull request a person opens is reviewed even when Nectr runs with that person's own token
    /// (the README's quick start does), so the login is only looked up for those two kinds of delivery.
    /// </summary>
    private static async Task<string?> SentByNectrAsync(NectrIdentity identity, string eventName, WebhookPayload payload, CancellationToken cancellationToken)
    {
        if (payload.Sender is not { Login: { } sender } who
            || !(CausedByNectr.Contains(eventName) || string.Equals(who.Type, "Bot", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return await identity.LoginAsync(cancellationToken) is { } self && string.Equals(sender, self, StringComparison.OrdinalIgnoreCase)
            ? $"sent by Nectr itself ({self}, the account of its GitHub token): Nectr does not act on its own reviews and comments"
            : null;
    }

    /// <summary>
    /// The few fields intake needs, read straight from the UTF-8 bytes; the body is checked to be valid UTF-8 (as
    /// the stored JSON must be) without ever being decoded to a string.
    /// </summary>
    private static WebhookPayload? Parse(byte[] body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, WebhookJsonContext.Default.WebhookPayload);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A stored close or reopen is the PR's newest state: the live-state cache takes it without asking GitHub.</summary>
    private static void ObserveState(PullRequestStateCache prStates, string eventName, WebhookPayload payload)
    {
        if (eventName == "pull_request" && payload is { Action: "closed" or "reopened", PullRequest: { } pr, Repository.FullName: { } repo })
        {
            prStates.Set(repo, pr.Number, payload.Action == "reopened" ? PullRequestLiveState.Open
                : pr.Merged == true ? PullRequestLiveState.Merged : PullRequestLiveState.Closed);
        }
    }

    private static ProblemHttpResult TooLarge() =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Webhook bodies are limited to {MaxBodyBytes / 1024 / 1024} MB.");

    private static ProblemHttpResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Signature not verified", detail);

    private static ProblemHttpResult BadRequest(string title, string detail) => Problem(StatusCodes.Status400BadRequest, title, detail);

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

        [LoggerMessage(4, LogLevel.Warning, "Webhook {DeliveryId} refused 400: {Reason}")]
        public static partial void Invalid(ILogger logger, string deliveryId, string reason);

        [LoggerMessage(5, LogLevel.Warning, "Webhook {DeliveryId} refused 401: {Reason}")]
        public static partial void Refused(ILogger logger, string deliveryId, string reason);

        [LoggerMessage(6, LogLevel.Warning, "Webhook {DeliveryId} body not received: {Reason}")]
        public static partial void NotReceived(ILogger logger, string deliveryId, string reason);

        [LoggerMessage(7, LogLevel.Warning, "Webhook {DeliveryId} answered 503: {LimitMb} MB of webhook bodies are already in flight (WEBHOOK_MAX_INFLIGHT_MB)")]
        public static partial void OverBudget(ILogger logger, string deliveryId, long limitMb);
    }
}

/// <summary>What the webhook endpoint needs, bound by minimal APIs from the container.</summary>
internal readonly record struct WebhookServices(
    WebhookSecrets Secrets,
    WebhookBodyBudget Budget,
    WebhookIntake Intake,
    SignatureFailureLog Failures,
    PullRequestStateCache PullRequestStates,
    NectrIdentity Identity,
    GitHubApp.GitHubAppCredentials Apps,
    IOptions<ReviewOptions> Review,
    IOptions<CommandOptions> Commands,
    TimeProvider Time,
    ILogger<WebhookIntake> Logger);

internal sealed record WebhookResponse(string DeliveryId, bool Duplicate, string Outcome, long? JobId, string? Reason);

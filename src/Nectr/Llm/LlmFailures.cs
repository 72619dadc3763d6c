using System.ClientModel;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Anthropic.Exceptions;
using Nectr.Configuration;
using Polly.Timeout;

namespace Nectr.Llm;

/// <summary>How a failed call reads: <see cref="Retry"/> when waiting may fix it (transient), <see cref="Permanent"/> when only an operator can, and a reason.</summary>
internal sealed record LlmFailure(bool Retry, bool Permanent, string Reason, TimeSpan? RetryAfter = null, int? Status = null);

/// <summary>
/// Reads a failed attempt the way an operator would: overload, rate limits and server errors pass; a bad key,
/// exhausted credit or a refused request will not pass by waiting, and the reason says what to fix.
/// </summary>
internal static partial class LlmFailures
{
    private const int MaxMessageChars = 300;

    public static LlmFailure Classify(Exception exception, LlmCallRecord? record, LlmOptions options)
    {
        var (status, body, retryAfter) = Evidence(exception, record);
        var (type, code, message) = ErrorFields(body);
        var provider = ProviderName(options);
        var detail = message is null ? "" : $" ({Redact(message, options)})";

        if (status is null && Find<TimeoutRejectedException>(exception) is not null)
        {
            return new LlmFailure(true, false,
                $"{provider} did not answer within {options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (LLM_TIMEOUT_SECONDS).");
        }

        if (status is null)
        {
            return IsNetwork(exception)
                ? new LlmFailure(true, false, $"could not reach {provider}: {Redact(exception.Message, options)}")
                : new LlmFailure(false, false, $"{provider} call failed unexpectedly ({exception.GetType().Name}).");
        }

        if (IsBilling(status.Value, type, code, message))
        {
            return new LlmFailure(false, true,
                $"{provider} refused the request for billing reasons: the account's credit, quota or spend limit is exhausted. Check billing at {BillingUrl(options)}, then re-run the review.{detail}",
                Status: status);
        }

        return status.Value switch
        {
            401 => new LlmFailure(false, true,
                $"{provider} rejected the API key (401 {type ?? "authentication_error"}): set a valid {options.KeyVariable}.", Status: 401),
            403 => new LlmFailure(false, true,
                $"{provider} denied permission (403): the key in {options.KeyVariable} may not use model '{options.Model}'; check the key's permissions or set {ModelVariable(options)}.{detail}", Status: 403),
            404 => new LlmFailure(false, true,
                $"{provider} does not know model '{options.Model}' (404): check {ModelVariable(options)}{(options.Provider == LlmProvider.OpenAI ? " and OPENAI_BASE_URL" : "")}.{detail}", Status: 404),
            400 or 413 or 422 => new LlmFailure(false, true,
                $"{provider} refused the request as invalid ({status}).{detail}", Status: status),
            408 or 409 or 429 or 500 or 502 or 503 or 504 or 529 => new LlmFailure(true, false,
                $"{provider} answered {status} {type ?? ""}".TrimEnd() + ".", retryAfter, status),
            >= 500 => new LlmFailure(true, false, $"{provider} answered {status}.", retryAfter, status),
            _ => new LlmFailure(false, true, $"{provider} answered {status}.{detail}", Status: status),
        };
    }

    public static string ProviderName(LlmOptions options) => options.Provider switch
    {
        LlmProvider.Anthropic => "Anthropic",
        LlmProvider.OpenAI when options.OpenAIBaseUrl is { } url && !url.Host.EndsWith("openai.com", StringComparison.OrdinalIgnoreCase)
            => $"the OpenAI-compatible server at {url.Host}",
        _ => "OpenAI",
    };

    private static string ModelVariable(LlmOptions options) => options.Provider == LlmProvider.Anthropic ? "ANTHROPIC_MODEL" : "OPENAI_MODEL";

    private static string BillingUrl(LlmOptions options) => options.Provider == LlmProvider.Anthropic
        ? "https://console.anthropic.com/settings/billing"
        : options.OpenAIBaseUrl is null ? "https://platform.openai.com/settings/organization/billing" : "your provider's billing page";

    /// <summary>
    /// OpenAI says <c>insufficient_quota</c> (with a 429 that must not be retried); Anthropic says <c>billing_error</c>,
    /// 402, or "credit balance is too low" in an invalid-request error.
    /// </summary>
    public static bool IsBilling(int status, string? body)
    {
        var (type, code, message) = ErrorFields(body);
        return IsBilling(status, type, code, message);
    }

    private static bool IsBilling(int status, string? type, string? code, string? message) =>
        status == 402
        || code is "insufficient_quota" or "billing_hard_limit_reached" || type is "insufficient_quota" or "billing_error"
        || (status is 400 or 403 or 429 && message is not null
            && (message.Contains("credit balance", StringComparison.OrdinalIgnoreCase)
                || message.Contains("billing", StringComparison.OrdinalIgnoreCase)
                || message.Contains("spend limit", StringComparison.OrdinalIgnoreCase)
                || message.Contains("exceeded your current quota", StringComparison.OrdinalIgnoreCase)));

    private static (int? Status, string? Body, TimeSpan? RetryAfter) Evidence(Exception exception, LlmCallRecord? record)
    {
        if (record?.Status is { } refused)
        {
            return (refused, record.ErrorBody, record.RetryAfter);
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AnthropicApiException api:
                    return ((int)api.StatusCode, api.ResponseBody, null);
                case ClientResultException { Status: > 0 } result:
                    return (result.Status, result.GetRawResponse()?.Content?.ToString(), null);
                default:
                    break;
            }
        }

        return (null, null, null);
    }

    private static T? Find<T>(Exception exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static bool IsNetwork(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or AnthropicIOException or IOException or SocketException or ClientResultException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Both providers' error shapes: <c>{"error":{"type","code","message"}}</c> (Anthropic adds a top-level type).</summary>
    internal static (string? Type, string? Code, string? Message) ErrorFields(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return (null, null, null);
            }

            return (Field(error, "type"), Field(error, "code"), Field(error, "message"));
        }
        catch (JsonException)
        {
            return (null, null, null); // a proxy's HTML page: the status says enough
        }

        static string? Field(JsonElement error, string name) =>
            error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>Provider messages can quote part of a key; no key, token-shaped string or line break reaches a reason.</summary>
    internal static string Redact(string message, LlmOptions options)
    {
        foreach (var key in new[] { options.AnthropicApiKey, options.OpenAIApiKey })
        {
            if (!string.IsNullOrEmpty(key))
            {
                message = message.Replace(key, "[key]", StringComparison.Ordinal);
            }
        }

        message = TokenLike().Replace(message, "[key]").ReplaceLineEndings(" ").Trim();
        return message.Length > MaxMessageChars ? message[..MaxMessageChars] + "…" : message;
    }

    [GeneratedRegex(@"\b(sk|sk-ant|sk-proj|key)-[A-Za-z0-9_\-\*]{6,}")]
    private static partial Regex TokenLike();
}

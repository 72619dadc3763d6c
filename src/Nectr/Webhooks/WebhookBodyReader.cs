using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;

namespace Nectr.Webhooks;

internal enum BodyStatus { Read, TooLarge, OverBudget, NotReceived }

/// <summary>What reading a body gave: the verified bytes (only when the signature matched), or why there are none.</summary>
internal sealed record BodyRead(BodyStatus Status, SignatureCheck Check, byte[]? Body, string? Problem = null);

/// <summary>
/// Reads a webhook body into ONE buffer of its declared length while the HMAC is computed over the bytes as they
/// arrive: before authentication a delivery costs at most its own size, never a second copy. The bytes are reserved
/// in the <see cref="WebhookBodyBudget"/> before reading. A body without Content-Length (chunked) is read in
/// segments reserved as they arrive and joined only once its signature has verified.
/// </summary>
internal static class WebhookBodyReader
{
    /// <summary>GitHub gives up on a delivery after 10 s; a body still arriving after this is not GitHub's.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const int SegmentBytes = 64 * 1024;

    public static async Task<BodyRead> ReadAsync(
        HttpContext context, IncrementalHash hmac, byte[] claimed, WebhookBodyBudget.Reservation reservation, TimeProvider time, CancellationToken cancellationToken)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = WebhookEndpoints.MaxBodyBytes + 1L;
        }

        using var deadline = new CancellationTokenSource(Deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return context.Request.ContentLength is { } length
                ? await ReadKnownLengthAsync(context.Request.Body, (int)length, hmac, claimed, reservation, linked.Token)
                : await ReadChunkedAsync(context.Request.Body, hmac, claimed, reservation, linked.Token);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new BodyRead(BodyStatus.TooLarge, SignatureCheck.Missing, null);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's minimum data rate, or the client sent less than its Content-Length.
            return new BodyRead(BodyStatus.NotReceived, SignatureCheck.Missing, null, ex.Message);
        }
        catch (IOException ex)
        {
            return new BodyRead(BodyStatus.NotReceived, SignatureCheck.Missing, null, "the connection was lost: " + ex.Message);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new BodyRead(BodyStatus.NotReceived, SignatureCheck.Missing, null, $"the body did not arrive within {Deadline.TotalSeconds:0} s");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return new BodyRead(BodyStatus.NotReceived, SignatureCheck.Missing, null, "the client disconnected before sending the whole body");
        }
    }

    private static async Task<BodyRead> ReadKnownLengthAsync(
        Stream body, int length, IncrementalHash hmac, byte[] claimed, WebhookBodyBudget.Reservation reservation, CancellationToken cancellationToken)
    {
        if (!reservation.TryAdd(length))
        {
            return new BodyRead(BodyStatus.OverBudget, SignatureCheck.Missing, null);
        }

        // Uninitialised: every byte is overwritten by the read below, so zeroing 25 MB first would be wasted work.
        var buffer = GC.AllocateUninitializedArray<byte>(length);
        var offset = 0;
        while (offset < length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(offset), cancellationToken);
            if (read == 0)
            {
                return new BodyRead(BodyStatus.NotReceived, SignatureCheck.Missing, null, "the body ended before its Content-Length");
            }

            hmac.AppendData(buffer, offset, read);
            offset += read;
        }

        var check = WebhookSignature.Finish(hmac, claimed);
        return new BodyRead(BodyStatus.Read, check, check == SignatureCheck.Valid ? buffer : null);
    }

    private static async Task<BodyRead> ReadChunkedAsync(
        Stream body, IncrementalHash hmac, byte[] claimed, WebhookBodyBudget.Reservation reservation, CancellationToken cancellationToken)
    {
        var segments = new List<(byte[] Bytes, int Count)>();
        long total = 0;
        while (true)
        {
            if (!reservation.TryAdd(SegmentBytes))
            {
                return new BodyRead(BodyStatus.OverBudget, SignatureCheck.Missing, null);
            }

            var segment = new byte[SegmentBytes];
            var filled = 0;
            int read;
            while (filled < SegmentBytes && (read = await body.ReadAsync(segment.AsMemory(filled), cancellationToken)) > 0)
            {
                hmac.AppendData(segment, filled, read);
                filled += read;
            }

            total += filled;
            if (total > WebhookEndpoints.MaxBodyBytes)
            {
                return new BodyRead(BodyStatus.TooLarge, SignatureCheck.Missing, null);
            }

            segments.Add((segment, filled));
            if (filled < SegmentBytes)
            {
                break;
            }
        }

        var check = WebhookSignature.Finish(hmac, claimed);
        if (check != SignatureCheck.Valid)
        {
            return new BodyRead(BodyStatus.Read, check, null);
        }

        // Verified: only now is the body copied into one array for the parser.
        var joined = new byte[total];
        var at = 0;
        foreach (var (bytes, count) in segments)
        {
            bytes.AsSpan(0, count).CopyTo(joined.AsSpan(at));
            at += count;
        }

        return new BodyRead(BodyStatus.Read, check, joined);
    }
}

using System.IO.Compression;
using System.Text;

namespace Nectr.Data;

/// <summary>
/// How a delivery's raw body is kept: the signed UTF-8 bytes, Brotli-compressed on the request's own thread so the
/// single intake writer only writes a few kilobytes per delivery (GitHub's 28 KB pull_request payload becomes about
/// 5 KB; PERFORMANCE.md, "Wire speed"). Decompressing gives back the exact bytes GitHub signed.
/// </summary>
internal static class DeliveryPayload
{
    /// <summary>Quality 1 with a 4 MB window: most of the size gain for a few tens of microseconds (measured in PERFORMANCE.md).</summary>
    private const int Quality = 1;
    private const int Window = 22;

    public static byte[] Compress(ReadOnlySpan<byte> body)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(body.Length));
        try
        {
            return BrotliEncoder.TryCompress(body, buffer, out var written, Quality, Window)
                ? buffer.AsSpan(0, written).ToArray()
                : throw new InvalidOperationException("Brotli could not compress a webhook body into its maximum compressed length.");
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The body as GitHub sent it, from either form a delivery row may hold.</summary>
    public static byte[] Bytes(DeliveryRecord delivery)
    {
        if (delivery.PayloadBrotli is { } compressed)
        {
            using var input = new MemoryStream(compressed);
            using var brotli = new BrotliStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream(compressed.Length * 8);
            brotli.CopyTo(output);
            return output.ToArray();
        }

        return Encoding.UTF8.GetBytes(delivery.Payload ?? "");
    }

    /// <summary>The body as JSON text (it was verified to be UTF-8 before it was stored).</summary>
    public static string Text(DeliveryRecord delivery) =>
        delivery.PayloadBrotli is null ? delivery.Payload ?? "" : Encoding.UTF8.GetString(Bytes(delivery));
}

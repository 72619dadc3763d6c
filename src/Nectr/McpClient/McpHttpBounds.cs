using System.Net;

namespace Nectr.McpClient;

/// <summary>
/// The HTTP layer of one server: requests go to the configured server's origin only (a legacy SSE server names the
/// URL to post to; another host is refused, so neither the token nor a request reaches it), the bearer token is added
/// here and nowhere else, a redirect is an error (never followed), and a response body is cut off after
/// <see cref="McpResponseTooLargeException"/>'s cap instead of being read to the end.
/// </summary>
internal sealed class McpHttpBounds(Uri server, string? token, long byteCap) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { } uri || !SameOrigin(uri, server))
        {
            throw new McpBlockedException("the server sent the client to another host");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode is >= 300 and < 400)
        {
            response.Dispose();
            throw new HttpRequestException("the server answered with a redirect, which is not followed", null, HttpStatusCode.Redirect);
        }

        if (response.Content.Headers.ContentLength > byteCap)
        {
            response.Dispose();
            throw new McpResponseTooLargeException(byteCap);
        }

        response.Content = new CappedContent(response.Content, byteCap);
        return response;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    /// <summary>The response's body, read through a stream that fails once more than the cap has arrived.</summary>
    private sealed class CappedContent : HttpContent
    {
        private readonly HttpContent inner;
        private readonly long cap;

        public CappedContent(HttpContent inner, long cap)
        {
            this.inner = inner;
            this.cap = cap;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task<Stream> CreateContentReadStreamAsync() => new CappedStream(await inner.ReadAsStreamAsync(), cap);

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            new CappedStream(await inner.ReadAsStreamAsync(cancellationToken), cap);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await using var capped = new CappedStream(await inner.ReadAsStreamAsync(cancellationToken), cap);
            await capped.CopyToAsync(stream, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class CappedStream(Stream inner, long cap) : Stream
    {
        private long read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int n)
        {
            read += n;
            return read > cap ? throw new McpResponseTooLargeException(cap) : n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}

/// <summary>A server's answer went past the byte cap; what arrived is dropped.</summary>
internal sealed class McpResponseTooLargeException(long cap) : IOException($"the answer was larger than {cap} bytes");

using System.Net;
using Microsoft.AspNetCore.Http;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Deployment;

/// <summary>
/// Requests into the in-process app from a chosen peer address. TestServer has no socket, so the peer a forwarded
/// header is judged by is set on the request's connection, exactly what Kestrel fills from the TCP connection.
/// </summary>
internal static class DeploymentRequests
{
    public sealed record Answer(int Status, IHeaderDictionary Headers, string Body);

    public static async Task<Answer> SendAsync(NectrApp app, string path, string? peer, CancellationToken cancellationToken, string scheme = "http", string host = "localhost", params (string Name, string Value)[] headers)
    {
        var context = await app.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Scheme = scheme;
            c.Request.Host = new HostString(host);
            var query = path.IndexOf('?', StringComparison.Ordinal);
            c.Request.Path = query < 0 ? path : path[..query];
            c.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(path[query..]);
            c.Connection.RemoteIpAddress = peer is null ? null : IPAddress.Parse(peer);
            foreach (var (name, value) in headers)
            {
                c.Request.Headers[name] = value;
            }
        }, cancellationToken);
        using var reader = new StreamReader(context.Response.Body);
        return new Answer(context.Response.StatusCode, context.Response.Headers, await reader.ReadToEndAsync(cancellationToken));
    }
}

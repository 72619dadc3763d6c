using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Webhooks.WebhookTestKit;

namespace Nectr.Tests.Webhooks;

/// <summary>
/// Uploads that never finish, on the real Kestrel server over loopback: a client that disconnects mid-body and one
/// that sends too slowly each cost one warning line, not an error with a stack trace, and store nothing.
/// </summary>
public sealed class WebhookUploadTests
{
    private static async Task<(NectrApp App, LogCollector Logs, Uri Address)> StartAsync(TestDatabase database, Action<KestrelServerOptions>? kestrel = null)
    {
        var logs = new LogCollector();
        var app = new NectrApp(database, settings: new Dictionary<string, string?>
        {
            ["REVIEW_CONCURRENCY"] = "0",
            ["urls"] = "http://127.0.0.1:0",
        }, logs: logs);
        app.UseKestrel(options => kestrel?.Invoke(options));
        app.StartServer();
        logs.Mark();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, logs, new Uri(address));
    }

    /// <summary>Headers of a signed 1 MB delivery (the signature is for bytes that will never all arrive).</summary>
    private static byte[] Head(Uri address, string deliveryId) => Encoding.ASCII.GetBytes(
        $"POST {SignedDelivery.Path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nContent-Length: {1024 * 1024}\r\n"
        + $"X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: {deliveryId}\r\nX-Hub-Signature-256: sha256={new string('0', 64)}\r\n\r\n");

    [Fact]
    public async Task A_client_that_disconnects_mid_body_costs_one_warning_line()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var (app, logs, address) = await StartAsync(database);
        await using var _ = app;
        var deliveryId = Guid.NewGuid().ToString();

        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(IPAddress.Loopback, address.Port, Ct);
            var stream = socket.GetStream();
            await stream.WriteAsync(Head(address, deliveryId), Ct);
            await stream.WriteAsync(new byte[64 * 1024], Ct);
            await stream.FlushAsync(Ct);
            socket.Client.Shutdown(SocketShutdown.Both);
        }

        await AssertOneWarningAsync(logs, deliveryId);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
    }

    [Fact]
    public async Task A_body_arriving_below_kestrels_minimum_data_rate_costs_one_warning_line()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var (app, logs, address) = await StartAsync(database, kestrel: options =>
            options.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 10_000, gracePeriod: TimeSpan.FromSeconds(2)));
        await using var _ = app;
        var deliveryId = Guid.NewGuid().ToString();

        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, address.Port, Ct);
        var stream = socket.GetStream();
        await stream.WriteAsync(Head(address, deliveryId), Ct);
        await stream.WriteAsync(new byte[16], Ct);
        await stream.FlushAsync(Ct);

        // The client now sends nothing; Kestrel ends the read once the rate has stayed too low past the grace period.
        await AssertOneWarningAsync(logs, deliveryId);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
    }

    private static async Task AssertOneWarningAsync(LogCollector logs, string deliveryId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!logs.Entries.Any(e => e.Message.Contains(deliveryId, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "Nothing was logged for the unfinished upload. Logged: "
                + string.Join(" | ", logs.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message}")));
            await Task.Delay(20, Ct);
        }

        var line = Assert.Single(logs.Entries, e => e.Message.Contains(deliveryId, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Null(line.Error);
        Assert.DoesNotContain('\n', line.Message);
        Assert.DoesNotContain(logs.SinceMark, e => e.Level >= LogLevel.Error);
    }
}

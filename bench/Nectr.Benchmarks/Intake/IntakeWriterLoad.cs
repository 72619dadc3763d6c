using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nectr.Benchmarks.LoadDriver;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHubApp;
using Nectr.Issues;
using Nectr.Jobs;
using Nectr.Knowledge;
using Nectr.Webhooks;
using Npgsql;

using static Nectr.Benchmarks.BenchArgs;

namespace Nectr.Benchmarks.Intake;

/// <summary>
/// Webhook intake's durable write without HTTP. <c>--concurrency</c> tasks (64) each prepare a delivery as the endpoint
/// does once it has verified one (a new head in GitHub's <c>pull_request.synchronize</c> example, a GitHub-shaped
/// delivery id, the body parsed for its fields and Brotli-compressed), hand it to the real <see cref="WebhookIntake"/>
/// and wait for its answer, as a request does. The database is a fresh SQLite file (WAL, the checkpointer, Nectr's
/// pragmas), or a database created on the PostgreSQL server <c>--postgres URL</c> names and dropped after.
/// Prints deliveries per second and, over the measured phase, this process's CPU per delivery and the whole machine's
/// (PostgreSQL's processes count there). <c>--prepare-only</c> skips the hand-over and <c>--skipped</c> stores each
/// delivery settled with no job, so the differences between the three are what the delivery row and its job cost.
/// Unlike the HTTP benchmark (±12 % between identical runs here), this repeats within a few per cent.
/// </summary>
internal static class IntakeWriterLoad
{
    private const string Placeholder = "@@HEAD_SHA_PLACEHOLDER_0000000000000000@";

    public static async Task<int> RunAsync(string[] args)
    {
        var run = new Run(
            Int(args, "--concurrency", 64),
            TimeSpan.FromSeconds(Int(args, "--seconds", 15)),
            TimeSpan.FromSeconds(Int(args, "--warmup", 10)),
            args.Contains("--prepare-only"),
            args.Contains("--skipped") ? "stored settled, with no job (benchmark --skipped)" : null,
            Template(await File.ReadAllBytesAsync(Arg(args, "--payload") ?? "tests/Nectr.Tests/Fixtures/webhooks/pull_request.synchronize.json")));

        if (Arg(args, "--postgres") is { } postgres)
        {
            var server = BenchPostgres.ConnectionString(new Uri(postgres));
            var name = "nectr_wbench_" + Guid.NewGuid().ToString("N")[..12];
            await BenchPostgres.AdminAsync(server, $"CREATE DATABASE {name}");
            try
            {
                var url = new UriBuilder(postgres) { Path = "/" + name }.Uri.ToString();
                await RunOnAsync("postgres", url, run);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await BenchPostgres.AdminAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            }

            return 0;
        }

        var directory = Directory.CreateTempSubdirectory("nectr-intake-writer-");
        try
        {
            await RunOnAsync("sqlite", "sqlite:///" + Path.Combine(directory.FullName, "nectr.db"), run);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }

        return 0;
    }

    private static async Task RunOnAsync(string provider, string databaseUrl, Run run)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddData(new DatabaseOptions { UrlText = databaseUrl });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobSignal>();
        builder.Services.AddSingleton<KnowledgeIndex>();
        builder.Services.AddSingleton<IssueStore>();
        // Intake calls on installations only for installation events; a pull_request delivery never reaches the sync.
        builder.Services.AddSingleton(sp => new Installations(null!, sp.GetRequiredService<ILogger<Installations>>()));
        builder.Services.AddSingleton<WebhookIntake>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookIntake>());
        using var host = builder.Build();
        await host.Services.MigrateDatabaseAsync(CancellationToken.None);
        await host.StartAsync();
        var intake = host.Services.GetRequiredService<WebhookIntake>();

        long done = 0;
        var stop = false;
        var workers = Enumerable.Range(0, run.Concurrency).Select(_ => Task.Run(async () =>
        {
            var body = (byte[])run.Template.Clone();
            var at = body.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Placeholder));
            while (!Volatile.Read(ref stop))
            {
                Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20))).CopyTo(body.AsSpan(at));
                var payload = JsonSerializer.Deserialize(body, WebhookJsonContext.Default.WebhookPayload)!;
                var compressed = DeliveryPayload.Compress(body);
                if (run.PrepareOnly)
                {
                    await Task.Yield();
                }
                else
                {
                    await intake.AcceptAsync(GitHubDeliveryIds.Next(), "pull_request", compressed, payload, run.SkipReason, null, CancellationToken.None);
                }

                Interlocked.Increment(ref done);
            }
        })).ToArray();

        await Task.Delay(run.Warmup);
        var meter = new CpuMeter(null);
        var count0 = Interlocked.Read(ref done);
        var clock = Stopwatch.StartNew();
        await Task.Delay(run.Measured);
        var count = (int)(Interlocked.Read(ref done) - count0);
        var elapsed = clock.Elapsed;
        var (_, processUs, busy) = meter.PerRequest(count);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);
        await host.StopAsync();

        var what = run.PrepareOnly ? "prepare only" : run.SkipReason is null ? "prepare + store with job" : "prepare + store, no job";
        var machineUs = busy is { } percent ? $"{percent / 100 * Environment.ProcessorCount * elapsed.TotalMicroseconds / Math.Max(1, count):F1} µs" : "n/a";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{provider}, {what}: {count / elapsed.TotalSeconds:F0} deliveries/s; CPU per delivery: this process {processUs:F1} µs, machine {machineUs} ({busy:F0} % of {Environment.ProcessorCount} cores busy); concurrency {run.Concurrency}, {run.Measured.TotalSeconds:F0} s after {run.Warmup.TotalSeconds:F0} s warm-up"));
    }

    /// <summary>The example as GitHub sends it (compact), with a placeholder head SHA each delivery overwrites.</summary>
    private static byte[] Template(byte[] payload)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(payload)!;
        root["pull_request"]!["head"]!["sha"] = Placeholder;
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private sealed record Run(int Concurrency, TimeSpan Measured, TimeSpan Warmup, bool PrepareOnly, string? SkipReason, byte[] Template);
}

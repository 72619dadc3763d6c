using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nectr.E2E.Infrastructure;

/// <summary>
/// A real Nectr server process (the built Nectr.dll under <c>dotnet</c>), bound to 127.0.0.1, configured only
/// through environment variables, that a test can kill with SIGKILL and start again on the same database.
/// </summary>
public sealed class NectrProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private readonly string? _certificateThumbprint;

    private NectrProcess(Process process, Uri baseUrl, string workingDirectory, string? certificateThumbprint)
    {
        _process = process;
        BaseUrl = baseUrl;
        WorkingDirectory = workingDirectory;
        _certificateThumbprint = certificateThumbprint;
    }

    public Uri BaseUrl { get; }

    /// <summary>A fresh temporary directory per process: the default SQLite file and any .env live here.</summary>
    public string WorkingDirectory { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the server and waits until /health/ready answers; <paramref name="https"/> serves HTTPS with a throwaway
    /// self-signed certificate, as browsers need for Secure cookies. Pass <paramref name="port"/> (from
    /// <see cref="FreeLoopbackPort"/>) when a setting such as BACKEND_URL must name the server's own address.
    /// </summary>
    public static async Task<NectrProcess> StartAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, string? workingDirectory = null, bool https = false, int? port = null)
    {
        port ??= FreeLoopbackPort();
        var baseUrl = new Uri($"{(https ? "https" : "http")}://127.0.0.1:{port}/");
        var dll = Path.Combine(AppContext.BaseDirectory, "Nectr.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("nectr-e2e-cwd-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);

        // Only what the test says: inherited Nectr settings from the developer's shell must not leak in.
        foreach (var key in start.Environment.Keys.Where(IsNectrSetting).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_URLS"] = baseUrl.ToString().TrimEnd('/');
        LoopbackCertificate? certificate = null;
        if (https)
        {
            certificate = LoopbackCertificate.Create(start.WorkingDirectory);
            start.Environment["Kestrel__Certificates__Default__Path"] = certificate.Path;
            start.Environment["Kestrel__Certificates__Default__Password"] = certificate.Password;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started");
        var server = new NectrProcess(process, baseUrl, start.WorkingDirectory, certificate?.Thumbprint);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>SIGKILL: no shutdown hooks run, exactly like a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// SIGTERM, as systemd, Kubernetes or Ctrl-C stop a service, then waits for the process to exit by itself; returns
    /// its exit code, or null if it was still running after <paramref name="timeout"/> (it is then killed).
    /// </summary>
    public async Task<int?> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = CreateClient();
        http.Timeout = TimeSpan.FromSeconds(2);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken); // drains the output streams
                throw new InvalidOperationException($"Nectr exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("health/ready", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow first answer while migrations run.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"Nectr was not ready within 60 s:\n{Output}");
    }

    /// <summary>An HTTP client for this server; over HTTPS it trusts exactly this server's own test certificate.</summary>
    public HttpClient CreateClient()
    {
        var handler = new HttpClientHandler();
        if (_certificateThumbprint is { } thumbprint)
        {
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                string.Equals(certificate?.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase);
        }

        return new HttpClient(handler) { BaseAddress = BaseUrl };
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    internal static bool IsNectrSetting(string key) =>
        key.StartsWith("GITHUB_", StringComparison.Ordinal) || key.StartsWith("REVIEW_", StringComparison.Ordinal)
        || key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || key.StartsWith("LLM_", StringComparison.Ordinal)
        || key.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || key.StartsWith("OPENAI_", StringComparison.Ordinal)
        || key.StartsWith("DATA_PROTECTION_", StringComparison.Ordinal) || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)
        || key is "PARALLEL_REVIEW_AGENTS" or "DATABASE_WAIT_SECONDS"
        || key is "DATABASE_URL" or "APP_ENV" or "PORT" or "BACKEND_URL" or "LOG_LEVEL" or "LLM_PROVIDER";

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Net.Sockets;

namespace Nectr.E2E.Infrastructure;

/// <summary>
/// Debian's nginx as the TLS-terminating reverse proxy in front of a Nectr process, the way the README's "Deploy
/// behind a reverse proxy" section configures it. Each instance has its own prefix directory (configuration,
/// self-signed certificate, pid, error log, temp files), listens on a free 127.0.0.1 port, runs in the foreground
/// and is stopped at the end. The system service is never touched. <c>./test.sh</c> installs the package through
/// <c>scripts/ensure-nginx.sh</c> and exports its path as <c>NECTR_NGINX</c>.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _executable;
    private readonly string _prefix;

    private Nginx(Process process, string executable, string prefix, int port)
    {
        _process = process;
        _executable = executable;
        _prefix = prefix;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseUrl => new($"https://localhost:{Port}/");

    public string ErrorLog => File.Exists(Path.Combine(_prefix, "error.log")) ? File.ReadAllText(Path.Combine(_prefix, "error.log")) : "";

    /// <summary>Starts nginx on a free port with TLS, proxying everything to <paramref name="upstream"/> (Nectr on plain HTTP).</summary>
    public static async Task<Nginx> StartAsync(Uri upstream, CancellationToken cancellationToken)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            "nginx was not found: run ./test.sh or scripts/ensure-nginx.sh (it installs Debian's nginx package), or point NECTR_NGINX at an nginx binary.");
        var prefix = Directory.CreateTempSubdirectory("nectr-nginx-").FullName;
        var temp = Path.Combine(prefix, "temp");
        Directory.CreateDirectory(temp);
        if (!OperatingSystem.IsWindows())
        {
            // nginx's worker processes drop root privileges: let them into the prefix and its temp directories.
            File.SetUnixFileMode(prefix, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(temp, (UnixFileMode)0b111_111_111);
        }
        var (certificate, key) = LoopbackCertificate.CreatePem(prefix);
        var port = NectrProcess.FreeLoopbackPort();
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, Configuration(prefix, port, certificate, key, upstream), cancellationToken);

        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-p", prefix + "/", "-c", config, "-e", Path.Combine(prefix, "error.log"), "-g", "daemon off;" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("nginx could not be started");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var nginx = new Nginx(process, executable, prefix, port);
        try
        {
            await nginx.WaitUntilListeningAsync(cancellationToken);
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }

        return nginx;
    }

    /// <summary>
    /// The README's server block, on a loopback port with the test's certificate. Host keeps the port the browser used
    /// ($http_host), X-Forwarded-Proto says the browser spoke HTTPS, X-Forwarded-For carries the client's address.
    /// </summary>
    private static string Configuration(string prefix, int port, string certificate, string key, Uri upstream) => $$"""
        worker_processes 1;
        pid {{prefix}}/nginx.pid;
        events { worker_connections 256; }
        http {
            access_log off;
            client_body_temp_path {{prefix}}/temp/body;
            proxy_temp_path {{prefix}}/temp/proxy;
            fastcgi_temp_path {{prefix}}/temp/fastcgi;
            uwsgi_temp_path {{prefix}}/temp/uwsgi;
            scgi_temp_path {{prefix}}/temp/scgi;

            server {
                listen 127.0.0.1:{{port}} ssl;
                server_name localhost;
                ssl_certificate {{certificate}};
                ssl_certificate_key {{key}};

                # GitHub sends webhook bodies up to 25 MB.
                client_max_body_size 25m;

                location / {
                    proxy_pass {{upstream.ToString().TrimEnd('/')}};
                    proxy_http_version 1.1;
                    proxy_set_header Host $http_host;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                }
            }
        }
        """;

    /// <summary><c>NECTR_NGINX</c>, else <c>/usr/sbin/nginx</c>.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("NECTR_NGINX") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"NECTR_NGINX points at {configured}, which does not exist.");
        }

        return File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null;
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with code {_process.ExitCode}:\n{ErrorLog}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        throw new TimeoutException($"nginx did not listen on {Port} within 30 s:\n{ErrorLog}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // "nginx -s quit" signals the master through its pid file: it stops its workers and exits.
            using (var quit = Process.Start(new ProcessStartInfo(_executable) { ArgumentList = { "-p", _prefix + "/", "-c", Path.Combine(_prefix, "nginx.conf"), "-e", Path.Combine(_prefix, "error.log"), "-s", "quit" }, UseShellExecute = false }))
            {
                await (quit?.WaitForExitAsync() ?? Task.CompletedTask);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_prefix, recursive: true);
        }
        catch (IOException)
        {
            // A worker still closing its files: the temp directory is cleaned up by the system later.
        }
    }
}

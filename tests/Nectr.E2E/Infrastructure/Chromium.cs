using System.Diagnostics;
using Microsoft.Playwright;

namespace Nectr.E2E.Infrastructure;

/// <summary>
/// Debian's chromium driven by Playwright. Playwright's own browser builds are never downloaded (`playwright
/// install` cannot run offline): the package's bundled Node driver (copied to <c>bin/.playwright</c> at build) launches
/// the system browser through <see cref="BrowserTypeLaunchOptions.ExecutablePath"/>. <c>./test.sh</c> installs the
/// <c>chromium</c> package when it is missing.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            "Chromium was not found: run ./test.sh (it installs Debian's chromium package), `apt-get install -y chromium`, " +
            "or point NECTR_CHROMIUM at a Chromium or Chrome binary.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                // Tests run as root (CI too), where Chromium's sandbox refuses to start.
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
                Timeout = 60_000,
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary><c>NECTR_CHROMIUM</c>, else <c>/usr/bin/chromium</c>, else whatever <c>which chromium</c> finds.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("NECTR_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"NECTR_CHROMIUM points at {configured}, which does not exist.");
        }

        if (File.Exists("/usr/bin/chromium"))
        {
            return "/usr/bin/chromium";
        }

        try
        {
            using var which = Process.Start(new ProcessStartInfo("which", "chromium") { RedirectStandardOutput = true, UseShellExecute = false });
            var path = which?.StandardOutput.ReadToEnd().Trim();
            which?.WaitForExit();
            return which?.ExitCode == 0 && File.Exists(path) ? path : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

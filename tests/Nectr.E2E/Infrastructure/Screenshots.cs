using Microsoft.Playwright;

namespace Nectr.E2E.Infrastructure;

/// <summary>
/// A full-page screenshot, kept in <c>NECTR_SCREENSHOTS</c> (else <c>$TMPDIR/nectr-screenshots</c>) and attached to the
/// test result, so a failed browser test shows what the page looked like.
/// </summary>
public static class Screenshots
{
    public static async Task SaveAsync(IPage page, string fileName)
    {
        var directory = Environment.GetEnvironmentVariable("NECTR_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "nectr-screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Current.AddAttachment(fileName, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken), "image/png");
    }
}

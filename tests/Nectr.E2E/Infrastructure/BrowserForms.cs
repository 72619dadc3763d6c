using Microsoft.Playwright;

namespace Nectr.E2E.Infrastructure;

/// <summary>Forms that post back to their own page (Blazor's static forms), submitted as a person does.</summary>
internal static class BrowserForms
{
    /// <summary>
    /// Clicks <paramref name="button"/>, waits for the POST to <paramref name="path"/> (its query aside) to answer 200,
    /// and then for the document that answer made. The old document is marked first: the new one has the same URL, and
    /// waiting for a load state instead missed one that fired before the wait began (a 30 s timeout under load).
    /// </summary>
    public static async Task<IResponse> SubmitAsync(IPage page, ILocator button, string path)
    {
        await page.EvaluateAsync("() => { document.documentElement.dataset.replaced = 'not yet'; }");
        var answered = page.WaitForResponseAsync(r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == path);
        await button.ClickAsync();
        var response = await answered;
        Assert.Equal(200, response.Status);
        await page.Locator("html:not([data-replaced]) main").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        return response;
    }
}

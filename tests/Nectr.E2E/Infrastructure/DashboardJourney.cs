using Microsoft.Playwright;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E.Infrastructure;

/// <summary>
/// The journey every deployment must carry in a real browser: sign in with GitHub (the fake), open every page,
/// Connect a repository, Disconnect it, sign out. Every response the browser receives is recorded, so a test can
/// assert that none was a 5xx, wherever in the journey it happened.
/// </summary>
internal sealed class DashboardJourney
{
    public static readonly string[] Pages = ["/", "/repositories", "/reviews", "/activity", "/analytics", "/team", "/memory", "/tokens", "/settings"];

    private readonly IPage _page;
    private readonly Uri _baseUrl;
    private readonly List<(string Method, string Url, int Status)> _responses = [];

    public DashboardJourney(IPage page, Uri baseUrl)
    {
        _page = page;
        _baseUrl = baseUrl;
        page.Response += (_, response) =>
        {
            lock (_responses)
            {
                _responses.Add((response.Request.Method, response.Url, response.Status));
            }
        };
    }

    public IReadOnlyList<(string Method, string Url, int Status)> Responses
    {
        get
        {
            lock (_responses)
            {
                return _responses.ToList();
            }
        }
    }

    public string Url(string path) => new Uri(_baseUrl, path).ToString();

    public async Task RunAsync(FakeGitHub github, string owner, string repo)
    {
        // Anonymous: the dashboard sends the visitor to the sign-in page; sign in through GitHub's authorize page.
        await _page.GotoAsync(Url("/"));
        Assert.StartsWith(Url("/signin"), _page.Url, StringComparison.Ordinal);
        await ClickAndWaitForAsync(_page.GetByRole(AriaRole.Link, new() { Name = "Sign in with GitHub" }), url => url == Url("/"));
        Assert.Contains("Signed in as", await _page.InnerTextAsync("header"), StringComparison.Ordinal);

        foreach (var path in Pages)
        {
            var response = await _page.GotoAsync(Url(path));
            Assert.Equal(200, response?.Status);
        }

        await _page.GotoAsync(Url("/repositories"));
        var row = _page.Locator($"tr[data-repository='{owner}/{repo}']");
        await ClickAndWaitForAsync(row.GetByRole(AriaRole.Button, new() { Name = "Connect" }), url => url.Contains("notice=connected", StringComparison.Ordinal));
        Assert.Single(github.HooksOn(owner, repo));

        await ClickAndWaitForAsync(row.GetByRole(AriaRole.Button, new() { Name = "Disconnect" }), url => url.Contains("notice=disconnected", StringComparison.Ordinal));
        Assert.Empty(github.HooksOn(owner, repo));

        await ClickAndWaitForAsync(_page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }), url => url.StartsWith(Url("/signin"), StringComparison.Ordinal));
        await _page.GotoAsync(Url("/settings"));
        Assert.StartsWith(Url("/signin"), _page.Url, StringComparison.Ordinal);
    }

    /// <summary>
    /// Clicks and waits for the navigation it causes, the wait armed before the click: on a loaded machine the page can
    /// arrive before a wait started after the click, which then waits for a navigation that already happened.
    /// </summary>
    private async Task ClickAndWaitForAsync(ILocator target, Func<string, bool> arrived)
    {
        var navigated = _page.WaitForURLAsync(arrived, new() { WaitUntil = WaitUntilState.Commit });
        await target.ClickAsync();
        await navigated;
        // The new document's main element, not a load state: a load event that fired between the commit and this wait
        // was missed under load (a 30 s timeout on a page that had arrived, behind nginx, twice across runs).
        await _page.Locator("main").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    /// <summary>No response from Nectr (or anything else the browser talked to) was a server error.</summary>
    public void AssertNoServerErrors()
    {
        var errors = Responses.Where(r => r.Status >= 500).Select(r => $"{r.Status} {r.Method} {r.Url}").ToList();
        Assert.True(errors.Count == 0, "Server errors during the journey:\n" + string.Join('\n', errors));
        Assert.NotEmpty(Responses);
    }
}

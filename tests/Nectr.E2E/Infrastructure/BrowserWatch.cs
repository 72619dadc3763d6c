using Microsoft.Playwright;

namespace Nectr.E2E.Infrastructure;

/// <summary>Every response the pages received, and every CSP violation or script error the browser reported.</summary>
internal sealed class BrowserWatch
{
    private readonly List<string> _responses = [];
    private readonly List<string> _problems = [];

    public BrowserWatch(params IPage[] pages)
    {
        foreach (var page in pages)
        {
            page.Response += (_, response) => Add(_responses, $"{response.Status} {response.Request.Method} {response.Url}");
            page.Console += (_, message) =>
            {
                // A CSP violation is reported as a console error ("Refused to send form data …"); a missing favicon is not ours to judge.
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Refused to", StringComparison.Ordinal))
                {
                    Add(_problems, $"{message.Type}: {message.Text}");
                }
            };
            page.PageError += (_, error) => Add(_problems, "page error: " + error);
        }
    }

    public string Describe()
    {
        lock (_responses)
        {
            return string.Join('\n', _responses);
        }
    }

    public void AssertClean()
    {
        lock (_responses)
        {
            var errors = _responses.Where(r => r.StartsWith('5')).ToList();
            Assert.True(errors.Count == 0, "Server errors:\n" + string.Join('\n', errors));
            Assert.NotEmpty(_responses);
        }

        lock (_problems)
        {
            Assert.True(_problems.Count == 0, "The browser reported a CSP violation or a page error:\n" + string.Join('\n', _problems));
        }
    }

    private static void Add(List<string> list, string entry)
    {
        lock (list)
        {
            list.Add(entry);
        }
    }
}

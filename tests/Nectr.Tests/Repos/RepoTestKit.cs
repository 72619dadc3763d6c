using System.Net.Http.Headers;
using System.Text.Json;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Repos;

/// <summary>Nectr and a fake GitHub with repositories, and the requests the dashboard makes to connect them.</summary>
internal sealed class RepoTestKit : IAsyncDisposable
{
    public const string BackendUrl = "https://nectr.example.test";
    public const string HookUrl = BackendUrl + "/api/v1/webhooks/github";

    private RepoTestKit(FakeGitHub gitHub, NectrApp app)
    {
        GitHub = gitHub;
        App = app;
    }

    public FakeGitHub GitHub { get; }

    public NectrApp App { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>No review worker or sync runner runs, so jobs created by deliveries and connections stay visible as queued.</summary>
    public static async Task<RepoTestKit> StartAsync(TestDatabase database, string? backendUrl = BackendUrl, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var gitHub = await FakeGitHub.StartAsync();
        var app = new NectrApp(database, gitHub.ApiUrl, gitHub.Token, new Dictionary<string, string?>
        {
            ["REVIEW_CONCURRENCY"] = "0",
            ["SYNC_CONCURRENCY"] = "0", // connecting queues the backfill; these tests look at what stays queued
            ["BACKEND_URL"] = backendUrl,
        })
        {
            TestServices = services,
        };
        app.CreateClient().Dispose();
        return new RepoTestKit(gitHub, app);
    }

    /// <summary>A signed-in user whose OAuth token the fake accepts.</summary>
    public async Task<HttpClient> UserAsync(string login, long gitHubId)
    {
        var token = $"gho_{login}_token";
        GitHub.AcceptToken(token);
        var (client, _) = await App.SignedInClientAsync(login, gitHubId, token);
        return client;
    }

    public static string TokenOf(string login) => $"gho_{login}_token";

    /// <summary>The antiforgery token the dashboard (or a script, via GET /auth/csrf) sends back with POST and DELETE.</summary>
    public static async Task<string> CsrfAsync(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("/auth/csrf", Ct));
        return json.RootElement.GetProperty("token").GetString()!;
    }

    public static async Task<HttpResponseMessage> InstallAsync(HttpClient client, HttpMethod method, string fullName, string? csrf)
    {
        using var request = new HttpRequestMessage(method, $"/api/v1/repos/{fullName}/install");
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-TOKEN", csrf);
        }

        return await client.SendAsync(request, Ct);
    }

    /// <summary>Connects with a fresh antiforgery token and returns the JSON answer.</summary>
    public static async Task<JsonElement> ConnectAsync(HttpClient client, string fullName)
    {
        using var response = await InstallAsync(client, HttpMethod.Post, fullName, await CsrfAsync(client));
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"Connect answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<HttpResponseMessage> DeliverAsync(byte[] body, string secret)
    {
        using var client = App.CreateClient();
        using var request = SignedDelivery.Create("pull_request", body, secret);
        return await client.SendAsync(request, Ct);
    }

    public string DatabaseFile => App.Database.Url["sqlite:///".Length..];

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await GitHub.DisposeAsync();
    }
}

internal static class ProblemAssert
{
    public static void IsProblem(HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("application/problem+json").MediaType, response.Content.Headers.ContentType?.MediaType);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Memory;

/// <summary>Calls to /api/v1/memory and the Memory page's forms as a browser or script makes them, and the repositories a memory test owns.</summary>
internal static partial class MemoryApi
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A repository Nectr is connected to, and the user's access to it (as GitHub last listed it).</summary>
    public static Task ConnectedAsync(NectrApp app, long userId, string repo, long gitHubId, bool connected = true) => app.QueryAsync(async db =>
    {
        if (!db.Repositories.Any(r => r.GitHubId == gitHubId))
        {
            db.Repositories.Add(new RepositoryRecord { FullName = repo, GitHubId = gitHubId, Connected = connected, CreatedAt = DateTime.UtcNow });
        }

        db.UserRepositories.Add(new UserRepositoryAccess
        {
            UserId = userId, RepositoryFullName = repo, GitHubRepoId = gitHubId, Admin = true, RefreshedAt = DateTime.UtcNow,
        });
        return await db.SaveChangesAsync();
    });

    /// <summary>Sends <paramref name="json"/> (raw text, so tests can send any shape) with the antiforgery token from /auth/csrf unless told not to.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null, bool antiforgery = true)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (antiforgery)
        {
            var csrf = await client.GetFromJsonAsync<JsonElement>("/auth/csrf", Ct);
            request.Headers.Add(csrf.GetProperty("header_name").GetString()!, csrf.GetProperty("token").GetString());
        }

        return await client.SendAsync(request, Ct);
    }

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, object body) =>
        SendAsync(client, HttpMethod.Post, "/api/v1/memory", JsonSerializer.Serialize(body));

    public static Task<HttpResponseMessage> PatchAsync(HttpClient client, long id, object body) =>
        SendAsync(client, HttpMethod.Patch, $"/api/v1/memory/{id}", JsonSerializer.Serialize(body));

    /// <summary>The answer's JSON after asserting its status (the body is in the message when it differs).</summary>
    public static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using var _ = response;
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} → {(int)response.StatusCode}, expected {(int)status}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Posts a Memory page form as its button does, with the token the page rendered; returns where it redirects (303).</summary>
    public static async Task<string> PostFormAsync(HttpClient client, string path, params (string Name, string Value)[] fields)
    {
        var html = await client.GetStringAsync("/memory", Ct);
        var token = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        using var response = await client.PostAsync(path, new FormUrlEncodedContent(
            fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__RequestVerificationToken", token))), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    [System.Text.RegularExpressions.GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex TokenField();

    /// <summary>The field names of a 400 ValidationProblem.</summary>
    public static async Task<string[]> ValidationErrorsAsync(HttpResponseMessage response)
    {
        var problem = await ExpectAsync(response, HttpStatusCode.BadRequest);
        return problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
    }
}

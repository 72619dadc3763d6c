using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// <c>GET /user</c> with the service token: the account Nectr acts as (a machine user), which Nectr asks once to
/// recognise deliveries sent by itself.
/// </summary>
public sealed partial class FakeGitHub
{
    /// <summary>The login of the account behind <see cref="Token"/>.</summary>
    public string ServiceLogin { get; set; } = "nectr-bot";

    private bool IsServiceUserRequest(HttpRequest request) =>
        request.Method == "GET" && request.Path == "/user" && request.Headers.Authorization.ToString() is { } header
        && (header == "Bearer " + Token || header == "token " + Token);

    private async Task ServiceUserAsync(HttpContext context, RecordedRequest request)
    {
        request.Status = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(new JsonObject
        {
            ["login"] = ServiceLogin,
            ["id"] = 4_242_424,
            ["node_id"] = "U_fakeservice",
            ["type"] = "User",
            ["site_admin"] = false,
        }.ToJsonString());
    }
}

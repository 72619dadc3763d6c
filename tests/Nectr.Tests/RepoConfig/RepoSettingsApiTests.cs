using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Repos;

namespace Nectr.Tests.RepoConfig;

/// <summary>
/// <c>GET|PUT /api/v1/repos/{owner}/{repo}/settings</c>: the dashboard's overrides, checked by the schema, changed only
/// by admins of the repository with an antiforgery token; the file on the default branch wins per key.
/// </summary>
public sealed class RepoSettingsApiTests
{
    private const string Owner = "Codertocat";
    private const string Name = "Hello-World";
    private const string FullName = Owner + "/" + Name;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_admin_sets_overrides_the_file_wins_per_key_and_the_answer_names_each_source(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var kit = await RepoTestKit.StartAsync(database);
        using var admin = await ConnectedAsync(kit);
        kit.GitHub.AddFile(Owner, Name, ".nectr.yml", "profile: chill\n");

        using var put = await PutAsync(admin, """{"profile": "assertive", "max_inline_comments": 5, "auto_review": {"base_branches": ["main"]}}""", await RepoTestKit.CsrfAsync(admin));
        var body = await put.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var effective = JsonDocument.Parse(body).RootElement.GetProperty("effective");
        Assert.Equal(("chill", "file"), Value(effective, "profile"));
        Assert.Equal((5, "dashboard"), (effective.GetProperty("max_inline_comments").GetProperty("value").GetInt32(), effective.GetProperty("max_inline_comments").GetProperty("source").GetString()));
        Assert.Equal(("review", "server"), Value(effective, "forks"));
        Assert.Equal("dashboard", effective.GetProperty("auto_review.base_branches").GetProperty("source").GetString());
        var stored = await kit.App.QueryAsync(db => db.Repositories.AsNoTracking().Select(r => r.SettingsOverridesJson).SingleAsync(Ct));
        Assert.Equal("""{"max_inline_comments":5,"profile":"assertive","auto_review":{"base_branches":["main"]}}""", stored);

        var shown = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/repos/{FullName}/settings", Ct)).RootElement;
        Assert.True(shown.GetProperty("can_edit").GetBoolean());
        Assert.Equal("main", shown.GetProperty("default_branch").GetString());
        Assert.Equal("assertive", shown.GetProperty("overrides").GetProperty("profile").GetString());

        using var cleared = await PutAsync(admin, "{}", await RepoTestKit.CsrfAsync(admin));
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Null(await kit.App.QueryAsync(db => db.Repositories.AsNoTracking().Select(r => r.SettingsOverridesJson).SingleAsync(Ct)));
        kit.GitHub.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_reader_sees_the_settings_but_cannot_change_them_and_nothing_changes_without_antiforgery_or_a_valid_value(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var kit = await RepoTestKit.StartAsync(database);
        var (admin, repository) = await ConnectedWithRepositoryAsync(kit);
        using var _ = admin;
        using var reader = await kit.UserAsync("hubot", 2);
        kit.GitHub.Grant(RepoTestKit.TokenOf("hubot"), repository, admin: false);

        using var refused = await PutAsync(reader, """{"profile": "chill"}""", await RepoTestKit.CsrfAsync(reader));
        using var noToken = await PutAsync(admin, """{"profile": "chill"}""", csrf: null);
        using var invalid = await PutAsync(admin, """{"profile": "grumpy"}""", await RepoTestKit.CsrfAsync(admin));
        using var unknown = await PutAsync(admin, """{"approve": true}""", await RepoTestKit.CsrfAsync(admin));
        var shown = JsonDocument.Parse(await reader.GetStringAsync($"/api/v1/repos/{FullName}/settings", Ct)).RootElement;

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Contains("/profile", await invalid.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.False(shown.GetProperty("can_edit").GetBoolean());
        Assert.Null(await kit.App.QueryAsync(db => db.Repositories.AsNoTracking().Select(r => r.SettingsOverridesJson).SingleAsync(Ct)));
    }

    [Fact]
    public async Task An_invalid_file_is_shown_as_the_files_problem_and_the_dashboard_values_apply()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var kit = await RepoTestKit.StartAsync(database);
        using var admin = await ConnectedAsync(kit);
        kit.GitHub.AddFile(Owner, Name, ".nectr.yml", "profile: [chill\n");

        using var put = await PutAsync(admin, """{"profile": "assertive"}""", await RepoTestKit.CsrfAsync(admin));
        var shown = JsonDocument.Parse(await put.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Contains(".nectr.yml on main is not valid YAML", shown.GetProperty("file_problem").GetString(), StringComparison.Ordinal);
        Assert.Equal(("assertive", "dashboard"), Value(shown.GetProperty("effective"), "profile"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_dashboard_form_saves_yaml_overrides_for_an_admin_and_shows_a_reader_no_form(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var kit = await RepoTestKit.StartAsync(database);
        var (admin, repository) = await ConnectedWithRepositoryAsync(kit);
        using var _ = admin;
        using var reader = await kit.UserAsync("hubot", 2);
        kit.GitHub.Grant(RepoTestKit.TokenOf("hubot"), repository, admin: false);
        kit.GitHub.AddFile(Owner, Name, ".nectr.yml", "language: de\n");
        var path = $"/repositories/{FullName}/settings";

        var list = await admin.GetStringAsync("/repositories", Ct);
        var page = await admin.GetStringAsync(path, Ct);
        using var save = await admin.PostAsync(path, Form(page, "forks: skip\nmax_inline_comments: 3\n"), Ct);
        var saved = await save.Content.ReadAsStringAsync(Ct);
        Assert.True(save.IsSuccessStatusCode, $"{(int)save.StatusCode}: {saved}\n{page}");
        using var bad = await admin.PostAsync(path, Form(saved, "forks: never\n"), Ct);
        var refused = await bad.Content.ReadAsStringAsync(Ct);
        var readerPage = await reader.GetStringAsync(path, Ct);
        using var forged = await admin.PostAsync(path, new FormUrlEncodedContent([new("_handler", "repo-settings"), new("Overrides", "forks: review")]), Ct);

        Assert.Contains($"href=\"{path}\"", list, StringComparison.Ordinal);
        Assert.Contains("data-key=\"language\"", page, StringComparison.Ordinal);
        Assert.Contains("Saved:", saved, StringComparison.Ordinal);
        Assert.Contains("Nothing was saved", refused, StringComparison.Ordinal);
        Assert.Contains("/forks", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("<textarea", readerPage, StringComparison.Ordinal);
        Assert.Contains("Only admins of", readerPage, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, forged.StatusCode);
        var stored = await kit.App.QueryAsync(db => db.Repositories.AsNoTracking().Select(r => r.SettingsOverridesJson).SingleAsync(Ct));
        Assert.Equal("""{"max_inline_comments":3,"forks":"skip"}""", stored);
    }

    private static FormUrlEncodedContent Form(string page, string overrides) => new(
    [
        new("_handler", "repo-settings"),
        new("Overrides", overrides),
        new("__RequestVerificationToken", WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value)),
    ]);

    private static (string?, string?) Value(JsonElement effective, string key) =>
        (effective.GetProperty(key).GetProperty("value").GetString(), effective.GetProperty(key).GetProperty("source").GetString());

    private static async Task<HttpClient> ConnectedAsync(RepoTestKit kit) => (await ConnectedWithRepositoryAsync(kit)).Admin;

    private static async Task<(HttpClient Admin, FakeRepository Repository)> ConnectedWithRepositoryAsync(RepoTestKit kit)
    {
        var admin = await kit.UserAsync("octocat", 583231);
        var repository = kit.GitHub.AddRepository(Owner, Name, 186853002);
        kit.GitHub.Grant(RepoTestKit.TokenOf("octocat"), repository, admin: true);
        await RepoTestKit.ConnectAsync(admin, FullName);
        return (admin, repository);
    }

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, string json, string? csrf)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/repos/{FullName}/settings") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-TOKEN", csrf);
        }

        return await client.SendAsync(request, Ct);
    }
}

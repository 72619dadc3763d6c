using Nectr.Analytics;
using Nectr.ApiTokens;
using Nectr.Auth;
using Nectr.Commands;
using Nectr.Configuration;
using Nectr.Dashboard;
using Nectr.Deployment;
using Nectr.Data;
using Nectr.Events;
using Nectr.GitHub;
using Nectr.GitHubApp;
using Nectr.Health;
using Nectr.Issues;
using Nectr.Jobs;
using Nectr.Knowledge;
using Nectr.Llm;
using Nectr.McpServer;
using Nectr.McpClient;
using Nectr.Memory;
using Nectr.Repos;
using Nectr.RepoConfig;
using Nectr.Reviews;
using Nectr.Sync;
using Nectr.Webhooks;

if (Nectr.Cli.NectrCommandLine.IsCommand(args))
{
    return await Nectr.Cli.NectrCommandLine.RunAsync(args); // nectr review | migrate | version; otherwise the server
}

WebApplication app;
try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = NectrConfiguration.HostArgs(args),
        EnvironmentName = NectrConfiguration.HostEnvironmentOf(args),
    });
    var options = builder.AddNectrConfiguration();
    builder.AddDeployment();
    builder.AddData(options.Database);
    builder.AddAuth(options.KeyRing);
    builder.AddGitHub();
    builder.AddLlm(options.Llm);
    builder.AddKnowledge();
    builder.AddIssues();
    builder.AddWebhooks();
    builder.AddAppOnboarding();
    builder.AddRepos();
    builder.AddReviewPipeline();
    builder.AddRepoConfig();
    builder.AddJobs(options.Jobs);
    builder.AddCommands();
    builder.AddSync();
    builder.AddReviewHistory();
    builder.AddAnalytics();
    builder.AddEvents();
    builder.AddMemory();
    builder.AddApiTokens();
    builder.AddMcpServer();
    builder.AddMcpClient();
    builder.AddDashboard();
    builder.AddHealth();
    app = builder.Build();
}
catch (InvalidConfigurationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

if (await DatabaseStartup.WaitUntilReachableAsync(app.Services, app.Lifetime.ApplicationStopping) is { } databaseProblem)
{
    await Console.Error.WriteLineAsync("Nectr cannot start: " + databaseProblem);
    await app.DisposeAsync(); // flushes the log lines written while waiting
    return 2;
}

await app.Services.MigrateDatabaseAsync(app.Lifetime.ApplicationStopping);
if (await KeyRingCheck.RunAsync(app.Services, app.Lifetime.ApplicationStopping) is { } keyRingProblem)
{
    await Console.Error.WriteLineAsync("Nectr cannot start: " + keyRingProblem);
    await app.DisposeAsync();
    return 2;
}

app.UseForwardedHeaders(); // first: all that follows sees the client's scheme, host and address (FORWARDED_ALLOW_IPS)
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSecurityHeaders(); // nosniff, no-store on JSON, HSTS over HTTPS
app.UseHttpsInProduction(); // production over plain, untrusted HTTP: an answer with the fix, before any cookie is involved
app.UsePlainHttpCookies(); // development over http://localhost: the __Host- cookies without their prefix
app.UseQueryStringGuard(); // a NUL in a filter is a 400 naming it, never a database error
app.UseMcpOriginGuard(); // DNS rebinding: a foreign browser origin never reaches /mcp
app.UseHeadAsGet(); // monitors probe with HEAD: answered as GET, without the body
app.UseRouting(); // here, not implicitly first: the HEAD above must be a GET when the endpoint is chosen
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter(); // after authorization: /mcp is limited per API token
app.UseAntiforgery();
app.MapHealth();
app.MapAuth();
app.MapWebhooks();
app.MapAppOnboarding();
app.MapRepos();
app.MapRepoConfig();
app.MapKnowledge();
app.MapReviews();
app.MapAnalytics();
app.MapEvents();
app.MapMemory();
app.MapApiTokens();
app.MapMcpServer();
app.MapMcpServerSettings();
app.MapDashboard();

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;

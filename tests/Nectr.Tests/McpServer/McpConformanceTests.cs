using System.Text.Json;

namespace Nectr.Tests.McpServer;

/// <summary>
/// Official MCP tooling against Nectr's server on Node 22. The conformance suite (<c>@modelcontextprotocol/conformance</c>,
/// its server scenarios) runs against <c>/mcp</c> with Mona's API token added by tests/node/bearer-token.mjs (the suite has no credentials
/// option). Every scenario that applies to Nectr's server passes; the rest test the reference "everything" server's
/// fixtures or features Nectr does not offer, and are listed here with the reason (README, "Conformance"). And the
/// README's MCP Inspector command lines, run as written.
/// </summary>
public sealed class McpConformanceTests
{
    /// <summary>Scenarios that apply to Nectr's server: each must pass (no FAILURE check).</summary>
    private static readonly string[] Passing =
    [
        "server-initialize", "ping", "tools-list", "resources-list", "logging-set-level",
        // The SDK acknowledges resources/(un)subscribe with {}; Nectr does not declare the subscribe capability and sends no updates.
        "resources-subscribe", "resources-unsubscribe",
        "dns-rebinding-protection", // a foreign Host and Origin get 403 even with a valid token; this host's own pass
    ];

    /// <summary>Scenarios that cannot apply to Nectr's server, and why; each must fail, so a change is noticed.</summary>
    private static readonly Dictionary<string, (string Evidence, string Reason)> NotApplicable = new(StringComparer.Ordinal)
    {
        ["tools-call-simple-text"] = ("Unknown tool: 'test_simple_text'", Fixture),
        ["tools-call-image"] = ("Unknown tool: 'test_image_content'", Fixture),
        ["tools-call-audio"] = ("Unknown tool: 'test_audio_content'", Fixture),
        ["tools-call-embedded-resource"] = ("Unknown tool: 'test_embedded_resource'", Fixture),
        ["tools-call-mixed-content"] = ("Unknown tool: 'test_multiple_content_types'", Fixture),
        ["tools-call-with-logging"] = ("Unknown tool: 'test_tool_with_logging'", Fixture),
        ["tools-call-error"] = ("Unknown tool: 'test_error_handling'", Fixture),
        ["tools-call-with-progress"] = ("Unknown tool: 'test_tool_with_progress'", Fixture),
        ["tools-call-sampling"] = ("Unknown tool: 'test_sampling'", Fixture + "; Nectr's tools never ask the client's model"),
        ["tools-call-elicitation"] = ("Unknown tool: 'test_elicitation'", Fixture + "; Nectr's tools never ask the user"),
        ["elicitation-sep1034-defaults"] = ("Unknown tool: 'test_elicitation_sep1034_defaults'", Fixture + "; no elicitation"),
        ["elicitation-sep1330-enums"] = ("Unknown tool: 'test_elicitation_sep1330_enums'", Fixture + "; no elicitation"),
        ["json-schema-2020-12"] = ("Tool 'json_schema_2020_12_tool' not found", Fixture),
        ["resources-read-text"] = ("Unknown resource URI: 'test://static-text'", Fixture + "; Nectr's resources are templates over its reviews"),
        ["resources-read-binary"] = ("Unknown resource URI: 'test://static-binary'", Fixture),
        ["resources-templates-read"] = ("Unknown resource URI: 'test://template/123/data'", Fixture + "; Nectr's own templates are read in McpServerTests"),
        ["completion-complete"] = ("Method 'completion/complete' is not available", "Nectr declares no completions capability (and has no prompts to complete)"),
        ["prompts-list"] = ("Method 'prompts/list' is not available", NoPrompts),
        ["prompts-get-simple"] = ("Method 'prompts/get' is not available", NoPrompts),
        ["prompts-get-with-args"] = ("Method 'prompts/get' is not available", NoPrompts),
        ["prompts-get-embedded-resource"] = ("Method 'prompts/get' is not available", NoPrompts),
        ["prompts-get-with-image"] = ("Method 'prompts/get' is not available", NoPrompts),
        ["server-sse-polling"] = ("server-sse-polling-session", Stateless + " (its test_reconnection tool is a fixture too)"),
        ["server-sse-multiple-streams"] = ("server-sse-multiple-streams-session", Stateless),
    };

    private const string Fixture = "calls a fixture of the reference \"everything\" server that Nectr does not have";
    private const string NoPrompts = "Nectr declares no prompts capability: it answers -32601 Method not found, as the spec asks";
    private const string Stateless = "Nectr's /mcp is stateless (no Mcp-Session-Id), so the suite skips its checks with a warning";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_conformance_server_scenario_that_applies_to_Nectr_passes()
    {
        // The suite opens a client per scenario (initialize, notification, call, close): well over the default 120 a minute.
        await using var site = await McpSite.StartAsync("sqlite", new Dictionary<string, string?> { ["MCP_RATE_LIMIT_PER_MINUTE"] = "10000" });
        var results = Directory.CreateTempSubdirectory("nectr-conformance-");
        try
        {
            var url = new Uri(site.Address, "/mcp").ToString();
            // Without the token the suite cannot even initialize (a 401, whose status the SDK's message leaves out; McpServerTests
            // checks it): bearer-token.mjs is what lets the suite in, nothing else.
            var (noToken, withToken) = (results.CreateSubdirectory("no-token"), results.CreateSubdirectory("token"));
            var refused = await RunSuiteAsync(url, ["--scenario", "ping"], token: null, noToken);
            var outcome = await RunSuiteAsync(url, ["--suite", "all"], site.MonaToken, withToken);

            Assert.Contains("Error POSTing to endpoint", Assert.Single(ReadScenarios(refused.Stdout, noToken)["ping"].Failures), StringComparison.Ordinal);
            var scenarios = ReadScenarios(outcome.Stdout, withToken);
            var report = $"exit {outcome.ExitCode}\n" + string.Join("\n", scenarios.Select(s => $"{s.Key}: {s.Value}"));
            Assert.True(scenarios.Count > 0, $"The suite ran no scenario: {outcome.Stdout} {outcome.Stderr}");
            Assert.True(Passing.Order(StringComparer.Ordinal).SequenceEqual(scenarios.Where(s => s.Value.Passed).Select(s => s.Key).Order(StringComparer.Ordinal)), report);
            Assert.True(NotApplicable.Keys.Order(StringComparer.Ordinal).SequenceEqual(scenarios.Where(s => !s.Value.Passed).Select(s => s.Key).Order(StringComparer.Ordinal)), report);
            // Each fails for the stated reason (a missing fixture, an undeclared feature), not for a crash or an HTTP error.
            Assert.All(NotApplicable, n => Assert.Contains(n.Value.Evidence, scenarios[n.Key].ToString(), StringComparison.Ordinal));
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_READMEs_MCP_Inspector_CLI_commands_list_and_call_Nectrs_tools_over_both_transports()
    {
        await using var site = await McpSite.StartAsync("sqlite");
        var auth = "Authorization: Bearer " + site.MonaToken;

        var tools = await InspectAsync(new Uri(site.Address, "/mcp"), "http", auth, "--method", "tools/list");
        var call = await InspectAsync(new Uri(site.Address, "/mcp"), "http", auth, "--method", "tools/call", "--tool-name", "get_recent_reviews", "--tool-arg", "limit=5");
        var templates = await InspectAsync(new Uri(site.Address, "/mcp/sse"), "sse", auth, "--method", "resources/templates/list");

        Assert.Equal(6, tools.GetProperty("tools").GetArrayLength());
        Assert.False(call.TryGetProperty("isError", out var isError) && isError.GetBoolean(), call.ToString());
        Assert.Equal([42, 41], call.GetProperty("structuredContent").GetProperty("reviews").EnumerateArray().Select(r => r.GetProperty("pull_number").GetInt32()));
        Assert.Equal(2, templates.GetProperty("resourceTemplates").GetArrayLength());
    }

    /// <summary>
    /// The README's command: inspector-cli 1.0.3 from tests/node/node_modules (it finds its own package.json through
    /// "../package.json" from the working directory, so it runs from a folder whose parent has one).
    /// </summary>
    private static async Task<JsonElement> InspectAsync(Uri url, string transport, string header, params string[] method)
    {
        var cli = Path.Combine(NodeTools.Folder(), "node_modules", ".bin", "mcp-inspector-cli");
        var outcome = await NodeTools.RunAsync("/bin/sh",
            ["-c", "cd node_modules && exec \"$0\" \"$@\"", NodeTools.Node(), cli, "--cli", url.ToString(), "--transport", transport, "--header", header, .. method],
            new Dictionary<string, string>(), TimeSpan.FromSeconds(60), Ct);
        Assert.True(outcome.ExitCode == 0, $"mcp-inspector-cli exited {outcome.ExitCode}: {outcome.Stderr}");
        return JsonDocument.Parse(outcome.Stdout).RootElement.Clone();
    }

    /// <summary>Runs the suite's server command on Node 22, with the token added by bearer-token.mjs when there is one.</summary>
    private static Task<NodeTools.Outcome> RunSuiteAsync(string url, string[] selection, string? token, DirectoryInfo output)
    {
        var conformance = Path.Combine(NodeTools.Folder(), "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
        string[] preload = token is null ? [] : ["--import", new Uri(NodeTools.Script("bearer-token.mjs")).ToString()];
        var environment = token is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["NECTR_MCP_TOKEN"] = token, ["NECTR_MCP_URL"] = url };
        return NodeTools.RunAsync(NodeTools.Node(), [.. preload, conformance, "server", .. selection, "--url", url, "--output-dir", output.FullName],
            environment, TimeSpan.FromSeconds(120), Ct);
    }

    /// <summary>One scenario's checks: how many succeeded, and the failures and warnings as "id: message".</summary>
    private sealed record Scenario(int Successes, List<string> Failures, List<string> Warnings)
    {
        /// <summary>Passed: something was checked and nothing failed.</summary>
        public bool Passed => Successes > 0 && Failures.Count == 0;

        public override string ToString() =>
            $"{Successes} passed; failed: [{string.Join(" | ", Failures)}]; warnings: [{string.Join(" | ", Warnings)}]";
    }

    /// <summary>
    /// Each scenario the suite ran ("=== Running scenario: … ===" on stdout) with its checks, from its results folder
    /// server-&lt;scenario&gt;-&lt;ISO time, ':' and '.' as '-'&gt;/checks.json. A scenario that threw has no folder: it fails.
    /// </summary>
    private static Dictionary<string, Scenario> ReadScenarios(string stdout, DirectoryInfo results)
    {
        const string Running = "=== Running scenario: ";
        var scenarios = stdout.Split('\n')
            .Where(line => line.StartsWith(Running, StringComparison.Ordinal))
            .ToDictionary(line => line[Running.Length..].TrimEnd().TrimEnd('=').Trim(), _ => new Scenario(0, ["no results: the scenario threw"], []), StringComparer.Ordinal);
        foreach (var checks in results.EnumerateFiles("checks.json", SearchOption.AllDirectories))
        {
            var folder = checks.Directory!.Name;
            var name = folder["server-".Length..^("2026-01-01T00-00-00-000Z".Length + 1)];
            using var document = JsonDocument.Parse(File.ReadAllText(checks.FullName));
            var all = document.RootElement.EnumerateArray().ToList();
            List<string> With(string status) => all.Where(c => c.GetProperty("status").GetString() == status)
                .Select(c => $"{c.GetProperty("id").GetString()}: {(c.TryGetProperty("errorMessage", out var m) ? m.GetString() : "")}").ToList();
            scenarios[name] = new Scenario(With("SUCCESS").Count, With("FAILURE"), With("WARNING"));
        }

        return scenarios;
    }
}

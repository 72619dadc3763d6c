using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>A check run as the fake holds it; <see cref="AnnotationsPerRequest"/> lists how many annotations each write carried.</summary>
public sealed class FakeCheckRun
{
    public required long Id { get; init; }
    public required string Owner { get; init; }
    public required string Repo { get; init; }
    public required string Name { get; init; }
    public required string HeadSha { get; init; }
    public required long AppId { get; init; }
    public string? ExternalId { get; set; }
    public string Status { get; set; } = "queued";
    public string? Conclusion { get; set; }
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public string? DetailsUrl { get; set; }
    public List<JsonObject> Annotations { get; } = [];
    public List<int> AnnotationsPerRequest { get; } = [];

    /// <summary>Every status the run went through, in order.</summary>
    public List<string> History { get; } = [];
}

/// <summary>A commit status as posted.</summary>
public sealed record FakeCommitStatus(string Owner, string Repo, string Sha, string State, string? Description, string Context, string? TargetUrl, string? Actor);

// Check runs (writable by a GitHub App's installation token only, as on GitHub) and commit statuses. The OpenAPI check
// before these routes already refuses a body GitHub would refuse, including more than 50 annotations in one request.
public sealed partial class FakeGitHub
{
    private readonly List<FakeCheckRun> _checkRuns = [];
    private readonly List<FakeCommitStatus> _statuses = [];
    private long _nextCheckRunId = 4_000_000;

    public IReadOnlyList<FakeCheckRun> CheckRuns
    {
        get
        {
            lock (_lock)
            {
                return [.. _checkRuns];
            }
        }
    }

    public IReadOnlyList<FakeCommitStatus> CommitStatuses
    {
        get
        {
            lock (_lock)
            {
                return [.. _statuses];
            }
        }
    }

    /// <summary>Serves check runs and commit statuses (from the start); a check run of another App can be added with <see cref="AddForeignCheckRun"/>.</summary>
    private void EnableChecks()
    {
        AddRoute(r => Segments(r) is ["repos", _, _, "check-runs"] && r.Method == "POST", (c, r) => Reporting(c, r, CreateCheckRunAsync));
        AddRoute(r => Segments(r) is ["repos", _, _, "check-runs", _] && r.Method == "PATCH", (c, r) => Reporting(c, r, UpdateCheckRunAsync));
        AddRoute(r => Segments(r) is ["repos", _, _, "commits", _, "check-runs"] && r.Method == "GET", (c, r) => Reporting(c, r, ListCheckRunsAsync));
        AddRoute(r => Segments(r) is ["repos", _, _, "statuses", _] && r.Method == "POST", (c, r) => Reporting(c, r, CreateStatusAsync));
    }

    /// <summary>A check run some other App made (its re-run must be ignored by Nectr).</summary>
    public FakeCheckRun AddForeignCheckRun(string owner, string repo, string headSha, long appId, string name)
    {
        lock (_lock)
        {
            var run = new FakeCheckRun { Id = ++_nextCheckRunId, Owner = owner, Repo = repo, HeadSha = headSha, AppId = appId, Name = name, Status = "completed", Conclusion = "success" };
            _checkRuns.Add(run);
            return run;
        }
    }

    private static string[] Segments(RecordedRequest request) => request.Path.Trim('/').Split('/');

    private async Task CreateCheckRunAsync(HttpContext context, RecordedRequest request)
    {
        if (!ByInstallation(request))
        {
            await Unexpected(context, request, 403, "POST check-runs without a GitHub App installation token (GitHub: \"You must authenticate via a GitHub App\")");
            return;
        }

        var segments = Segments(request);
        var body = JsonNode.Parse(request.Body)!.AsObject();
        FakeCheckRun run;
        lock (_lock)
        {
            run = new FakeCheckRun
            {
                Id = ++_nextCheckRunId, Owner = segments[1], Repo = segments[2], Name = (string)body["name"]!, HeadSha = (string)body["head_sha"]!, AppId = App!.Id,
            };
            Apply(run, body);
            _checkRuns.Add(run);
        }

        await WriteStatusAsync(context, request, 201, RunJson(run).ToJsonString());
    }

    private async Task UpdateCheckRunAsync(HttpContext context, RecordedRequest request)
    {
        var segments = Segments(request);
        var id = long.Parse(segments[4], CultureInfo.InvariantCulture);
        FakeCheckRun? run;
        lock (_lock)
        {
            run = _checkRuns.FirstOrDefault(r => r.Id == id && r.Owner == segments[1] && r.Repo == segments[2]);
        }

        if (run is null || !ByInstallation(request) || run.AppId != App!.Id)
        {
            await Unexpected(context, request, 404, $"PATCH check run {id}: unknown, or not this App's run, or not an installation token");
            return;
        }

        lock (_lock)
        {
            Apply(run, JsonNode.Parse(request.Body)!.AsObject());
        }

        await WriteStatusAsync(context, request, 200, RunJson(run).ToJsonString());
    }

    private static void Apply(FakeCheckRun run, JsonObject body)
    {
        run.ExternalId = (string?)body["external_id"] ?? run.ExternalId;
        run.DetailsUrl = (string?)body["details_url"] ?? run.DetailsUrl;
        if ((string?)body["conclusion"] is { } conclusion)
        {
            // GitHub: giving a conclusion completes the run.
            run.Conclusion = conclusion;
            run.Status = "completed";
        }
        else if ((string?)body["status"] is { } status)
        {
            run.Status = status;
        }

        run.History.Add(run.Conclusion is null ? run.Status : $"{run.Status}:{run.Conclusion}");
        if (body["output"] is JsonObject output)
        {
            run.Title = (string?)output["title"];
            run.Summary = (string?)output["summary"];
            var annotations = output["annotations"]?.AsArray() ?? [];
            run.AnnotationsPerRequest.Add(annotations.Count);
            run.Annotations.AddRange(annotations.Select(a => a!.DeepClone().AsObject()));
        }
    }

    private async Task ListCheckRunsAsync(HttpContext context, RecordedRequest request)
    {
        var segments = Segments(request);
        var name = context.Request.Query["check_name"].ToString();
        List<FakeCheckRun> runs;
        lock (_lock)
        {
            runs = _checkRuns.Where(r => r.Owner == segments[1] && r.Repo == segments[2] && r.HeadSha == segments[4] && (name.Length == 0 || r.Name == name)).ToList();
        }

        await WriteStatusAsync(context, request, 200, new JsonObject
        {
            ["total_count"] = runs.Count,
            ["check_runs"] = new JsonArray([.. runs.Select(RunJson)]),
        }.ToJsonString());
    }

    private async Task CreateStatusAsync(HttpContext context, RecordedRequest request)
    {
        var segments = Segments(request);
        var body = JsonNode.Parse(request.Body)!.AsObject();
        var status = new FakeCommitStatus(segments[1], segments[2], segments[4], (string)body["state"]!, (string?)body["description"], (string?)body["context"] ?? "default",
            (string?)body["target_url"], ActorOf(request));
        lock (_lock)
        {
            _statuses.Add(status);
        }

        await WriteStatusAsync(context, request, 201, new JsonObject
        {
            ["id"] = _statuses.Count,
            ["state"] = status.State,
            ["description"] = status.Description,
            ["context"] = status.Context,
            ["target_url"] = status.TargetUrl,
        }.ToJsonString());
    }

    private static JsonObject RunJson(FakeCheckRun run) => new()
    {
        ["id"] = run.Id,
        ["head_sha"] = run.HeadSha,
        ["node_id"] = "CR_" + run.Id.ToString(CultureInfo.InvariantCulture),
        ["external_id"] = run.ExternalId,
        ["name"] = run.Name,
        ["status"] = run.Status,
        ["conclusion"] = run.Conclusion,
        ["details_url"] = run.DetailsUrl,
        ["app"] = new JsonObject { ["id"] = run.AppId },
        ["output"] = new JsonObject { ["title"] = run.Title, ["summary"] = run.Summary, ["annotations_count"] = run.Annotations.Count },
    };
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nectr.Tests.Infrastructure;

/// <summary>A real example payload with the repository, PR number and head commit of the test's own PR.</summary>
public static class PullRequestPayload
{
    public static byte[] From(string fixture, string owner, string repo, int number, string headSha, long repoId, bool? draft = null)
    {
        var root = JsonNode.Parse(WebhookFixtures.Load(fixture))!.AsObject();
        root["number"] = number;
        var repository = root["repository"]!.AsObject();
        repository["id"] = repoId;
        repository["name"] = repo;
        repository["full_name"] = $"{owner}/{repo}";
        repository["owner"]!["login"] = owner;
        var pr = root["pull_request"]!.AsObject();
        pr["number"] = number;
        pr["head"]!["sha"] = headSha;
        pr["base"]!["repo"]!["full_name"] = $"{owner}/{repo}";
        if (draft is { } isDraft)
        {
            pr["draft"] = isDraft;
        }

        return JsonSerializer.SerializeToUtf8Bytes(root);
    }
}

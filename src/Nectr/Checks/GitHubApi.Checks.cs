using System.Text.Json.Serialization;

namespace Nectr.GitHub;

/// <summary>Where a review's outcome shows on the commit: check runs (GitHub App) or commit statuses (a token).</summary>
internal partial interface IGitHubApi
{
    /// <summary><c>POST /repos/{owner}/{repo}/check-runs</c> (GitHub App only); the new check run's id. Never retried: look it up by external id first.</summary>
    Task<long> CreateCheckRunAsync(string owner, string repo, CheckRunWrite checkRun, CancellationToken cancellationToken);

    /// <summary><c>PATCH /repos/{owner}/{repo}/check-runs/{id}</c>; annotations given here are appended to the run's.</summary>
    Task UpdateCheckRunAsync(string owner, string repo, long checkRunId, CheckRunWrite checkRun, CancellationToken cancellationToken);

    /// <summary>The id of this App's check run named <paramref name="name"/> on <paramref name="sha"/> with <paramref name="externalId"/>, if any (first 100).</summary>
    Task<long?> FindCheckRunAsync(string owner, string repo, string sha, string name, string externalId, CancellationToken cancellationToken);

    /// <summary><c>POST /repos/{owner}/{repo}/statuses/{sha}</c>: a newer status of the same context replaces the older one.</summary>
    Task CreateCommitStatusAsync(string owner, string repo, string sha, CommitStatusWrite status, CancellationToken cancellationToken);
}

internal sealed partial class GitHubApi
{
    public async Task<long> CreateCheckRunAsync(string owner, string repo, CheckRunWrite checkRun, CancellationToken cancellationToken)
    {
        var path = $"repos/{Escape(owner)}/{Escape(repo)}/check-runs";
        using var request = Request(HttpMethod.Post, new Uri(path, UriKind.Relative));
        request.Content = JsonContent.Create(checkRun, CheckJsonContext.Default.CheckRunWrite);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "POST", path, cancellationToken);
        return (await ReadAsync(response, CheckJsonContext.Default.GitHubCheckRun, cancellationToken)).Id;
    }

    public async Task UpdateCheckRunAsync(string owner, string repo, long checkRunId, CheckRunWrite checkRun, CancellationToken cancellationToken)
    {
        var path = $"repos/{Escape(owner)}/{Escape(repo)}/check-runs/{checkRunId}";
        using var request = Request(HttpMethod.Patch, new Uri(path, UriKind.Relative));
        request.Content = JsonContent.Create(checkRun, CheckJsonContext.Default.CheckRunWrite);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "PATCH", path, cancellationToken);
    }

    public async Task<long?> FindCheckRunAsync(string owner, string repo, string sha, string name, string externalId, CancellationToken cancellationToken)
    {
        var list = await GetAsync($"repos/{Escape(owner)}/{Escape(repo)}/commits/{Escape(sha)}/check-runs?check_name={Escape(name)}&filter=all&per_page=100",
            CheckJsonContext.Default.GitHubCheckRunList, cancellationToken);
        return list.CheckRuns?.FirstOrDefault(r => r.ExternalId == externalId)?.Id;
    }

    public async Task CreateCommitStatusAsync(string owner, string repo, string sha, CommitStatusWrite status, CancellationToken cancellationToken)
    {
        var path = $"repos/{Escape(owner)}/{Escape(repo)}/statuses/{Escape(sha)}";
        using var request = Request(HttpMethod.Post, new Uri(path, UriKind.Relative));
        request.Content = JsonContent.Create(status, CheckJsonContext.Default.CommitStatusWrite);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "POST", path, cancellationToken);
    }
}

internal sealed partial class ScopedGitHubApi
{
    public Task<long> CreateCheckRunAsync(string owner, string repo, CheckRunWrite checkRun, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.CreateCheckRunAsync(owner, repo, checkRun, cancellationToken));

    public Task UpdateCheckRunAsync(string owner, string repo, long checkRunId, CheckRunWrite checkRun, CancellationToken cancellationToken) =>
        InScopeAsync(async api => { await api.UpdateCheckRunAsync(owner, repo, checkRunId, checkRun, cancellationToken); return true; });

    public Task<long?> FindCheckRunAsync(string owner, string repo, string sha, string name, string externalId, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.FindCheckRunAsync(owner, repo, sha, name, externalId, cancellationToken));

    public Task CreateCommitStatusAsync(string owner, string repo, string sha, CommitStatusWrite status, CancellationToken cancellationToken) =>
        InScopeAsync(async api => { await api.CreateCommitStatusAsync(owner, repo, sha, status, cancellationToken); return true; });
}

/// <summary>The body of a check run's create or update; null fields are left out (an update changes only what it names).</summary>
internal sealed record CheckRunWrite(
    string? Name = null,
    string? HeadSha = null,
    string? Status = null,
    string? Conclusion = null,
    string? ExternalId = null,
    string? DetailsUrl = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? CompletedAt = null,
    CheckRunOutput? Output = null);

internal sealed record CheckRunOutput(string Title, string Summary, IReadOnlyList<CheckRunAnnotation>? Annotations = null);

internal sealed record CheckRunAnnotation(string Path, int StartLine, int EndLine, string AnnotationLevel, string Message, string? Title = null);

internal sealed record CommitStatusWrite(string State, string Description, string Context, string? TargetUrl = null);

internal sealed record GitHubCheckRun(long Id, string? ExternalId);

internal sealed record GitHubCheckRunList(int TotalCount, IReadOnlyList<GitHubCheckRun>? CheckRuns);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CheckRunWrite))]
[JsonSerializable(typeof(CommitStatusWrite))]
[JsonSerializable(typeof(GitHubCheckRun))]
[JsonSerializable(typeof(GitHubCheckRunList))]
internal sealed partial class CheckJsonContext : JsonSerializerContext;

namespace Nectr.Tests.Infrastructure;

/// <summary>A file of a fake PR; additions and deletions are counted from the patch unless given.</summary>
public sealed record FakeFile(string Filename, string Status, string? Patch, int Additions = -1, int Deletions = -1, string? PreviousFilename = null);

public sealed class FakePullRequest
{
    public required string Owner { get; init; }
    public required string Repo { get; init; }
    public required int Number { get; init; }
    public required string HeadSha { get; set; }
    public required IReadOnlyList<FakeFile> Files { get; set; }
    public bool Draft { get; set; }
    public string State { get; set; } = "open";
    public string Title { get; set; } = "Test PR";

    /// <summary>The description; null keeps the body of GitHub's example.</summary>
    public string? Body { get; set; }

    /// <summary>What GitHub reports as changed_files; defaults to the number of files.</summary>
    public int? ChangedFiles { get; set; }

    public string Author { get; set; } = "octocat";

    /// <summary>The messages of the PR's commits, oldest first.</summary>
    public IReadOnlyList<string> CommitMessages { get; set; } = ["Update files"];

    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? MergedAt { get; set; }

    /// <summary>The head's repository when it is a fork (owner/name); null: the base repository.</summary>
    public string? HeadRepo { get; set; }

    /// <summary>The head branch's name.</summary>
    public string HeadRef { get; set; } = "new-topic";

    /// <summary>The base branch; null: the fake's default branch.</summary>
    public string? BaseRef { get; set; }
}

/// <summary>One request the fake received, as it arrived.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
{
    public int Status { get; set; }

    public string Path => PathAndQuery.Split('?')[0];
}

public sealed record PostedComment(string Path, int Line, int? StartLine, string Side, string Body);

public sealed record PostedReview(long Id, string Owner, string Repo, int Number, string Body, string Event, string CommitId, IReadOnlyList<PostedComment> Comments)
{
    /// <summary>Who posted it: the account of the token it was posted with (an App's installation token posts as &lt;slug&gt;[bot]).</summary>
    public string? Author { get; init; }
}

/// <summary>Holds matching requests until released, so a test can act while a request is in flight.</summary>
public sealed class StallGate
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal StallGate(Func<RecordedRequest, bool> match) => Match = match;

    internal Func<RecordedRequest, bool> Match { get; }

    /// <summary>Completes when a matching request is being held.</summary>
    public Task Entered => _entered.Task;

    public void Release() => _released.TrySetResult();

    internal async Task HoldAsync(CancellationToken cancellationToken)
    {
        _entered.TrySetResult();
        await _released.Task.WaitAsync(cancellationToken);
    }
}

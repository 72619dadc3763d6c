using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Review;

/// <summary>One question the fake model was asked.</summary>
internal sealed partial record AskedQuestion(string System, IReadOnlyList<ModelTurn> Turns, ResponseSchema? Schema, QuestionScope? Scope = null)
{
    public string LastUser => Turns[^1].Text;

    /// <summary>Which part's file the question showed first (ledger{n}.ts), or 0 for none.</summary>
    public int Part => LedgerFile().Match(Turns[0].Text) is { Success: true } m ? int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) : 0;

    public bool IsRepair => Turns.Count > 1;

    [GeneratedRegex(@"src/ledger(?<n>\d)\.ts")]
    private static partial Regex LedgerFile();
}

/// <summary>
/// The model port, faked: answers come from a function of the question (calls run
/// concurrently in parallel mode, so a script in call order would not do), and every question is recorded.
/// Each call costs 1,000 input and 100 output tokens at $0.01, unless <see cref="Cost"/> says otherwise.
/// </summary>
internal sealed class FakeReviewModel(Func<AskedQuestion, string> answer) : IReviewModel
{
    private readonly ConcurrentQueue<AskedQuestion> _asked = new();

    public IReadOnlyList<AskedQuestion> Asked => [.. _asked];

    public decimal? Cost { get; init; } = 0.01m;

    public Task<ModelReply> AskAsync(string system, IReadOnlyList<ModelTurn> turns, ResponseSchema? schema, QuestionScope scope, CancellationToken cancellationToken)
    {
        var question = new AskedQuestion(system, [.. turns], schema, scope);
        _asked.Enqueue(question);
        return Task.FromResult(new ModelReply(answer(question), "fake-model", new LlmUsage(1, 1_000, 100, Cost)));
    }

    public static string Json(string summary, string? finding = null, int confidence = 4, params string[] keyChanges) =>
        $$"""{"summary": "{{summary}}", "key_changes": [{{string.Join(", ", keyChanges.Select(k => $"\"{k}\""))}}], "findings": [{{finding ?? ""}}], "confidence": {{confidence}}}""";

    public static string Finding(int part, string title) =>
        $$"""{"file": "src/ledger{{part}}.ts", "line": 3, "severity": "medium", "category": "correctness", "title": "{{title}}", "body": "Because."}""";
}

/// <summary>An answer cache in memory, the way the host keeps answers with a job.</summary>
internal sealed class MemoryAnswerCache : IAnswerCache
{
    private readonly ConcurrentDictionary<QuestionKey, StoredAnswer> _answers = new();

    public int Count => _answers.Count;

    public StoredAnswer? Find(QuestionKey key) => _answers.GetValueOrDefault(key);

    public Task SaveAsync(QuestionKey key, StoredAnswer answer, CancellationToken cancellationToken)
    {
        _answers[key] = answer;
        return Task.CompletedTask;
    }

    public void Forget(Func<QuestionKey, bool> which)
    {
        foreach (var key in _answers.Keys.Where(which))
        {
            _answers.TryRemove(key, out _);
        }
    }
}

/// <summary>A pull request of <c>n</c> files of about 2,500 tokens each: with <see cref="Settings"/>, one file per part.</summary>
internal static class LedgerPullRequest
{
    public static ModelReviewSettings Settings(bool parallel = false) => new("fake-model", 8192, 1024, 4, parallel);

    public static PreparedReview Prepare(int files) =>
        new ReviewEngine().Prepare(new ReviewRequest("acme", "ledger", 7, "Ledger tables", "0123456789abcdef0123456789abcdef01234567", 1,
            [.. Enumerable.Range(1, files).Select(File)], files, ReviewSettings.Default));

    private static PullRequestFile File(int n)
    {
        var patch = new StringBuilder("@@ -1,1 +1,121 @@\n export const table = [\n");
        for (var line = 0; line < 120; line++)
        {
            patch.Append(CultureInfo.InvariantCulture, $"+  {{ account: \"ledger-{n}-{line}\", limit: {line * 37 % 1000}, owner: \"team-{line % 7}\" }},\n");
        }

        return new PullRequestFile($"src/ledger{n}.ts", "modified", 120, 0, patch.ToString().TrimEnd('\n'), null);
    }
}

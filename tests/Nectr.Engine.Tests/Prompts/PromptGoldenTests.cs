using System.Security.Cryptography;
using System.Text;
using Nectr.Engine.Budget;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;
using static Nectr.Engine.Tests.Budget.SyntheticPullRequest;

namespace Nectr.Engine.Tests.Prompts;

/// <summary>
/// Issue #13 changed how prompts are produced (chunk counts from per-file counts, keyword-first redaction), never what
/// they say. Every prompt of a large synthetic PR with planted credentials (standard and each specialist, every chunk of
/// a tight plan), with a fixed nonce, is hashed; the hash was taken with the code before issue #13's round 2 (commit
/// ec22c31) and must not change unless a prompt is meant to change.
/// </summary>
public sealed class PromptGoldenTests
{
    private const string GoldenHash = "91B677D770D84B300AA5358D74FA085C9984AE82DA8082B9E5541501E48DF480";

    [Fact]
    public void Every_prompt_of_a_large_pull_request_is_byte_identical_to_before_issue_13_round_2()
    {
        var prepared = new ReviewEngine().Prepare(Request(Files()));
        var input = new PromptInput(prepared.Request, prepared.BuiltIn, PromptContext.Empty, "golden-nonce-13");
        var counter = O200kTokenCounter.Shared;
        var plan = ChunkPlanner.Plan(prepared, new PromptBudget(60_000, 8_000, 4, ReviewPrompts.FixedTokens(input, counter)), counter);
        var all = new StringBuilder();
        for (var i = 0; i < plan.Chunks.Count; i++)
        {
            all.Append(plan.Chunks[i].Tokens).Append('\0');
            foreach (var prompt in new[] { ReviewPrompts.Standard(input, plan.Chunks[i], i, plan.Chunks.Count) }
                .Concat(Enum.GetValues<Specialty>().Select(s => ReviewPrompts.Specialist(s, input, plan.Chunks[i], i, plan.Chunks.Count))))
            {
                all.Append(prompt.System).Append('\0').Append(prompt.User).Append('\0');
            }
        }

        foreach (var skipped in plan.NotSent)
        {
            all.Append(skipped.Path).Append(": ").Append(skipped.Reason).Append('\n');
        }

        Assert.Equal(4, plan.Chunks.Count);
        Assert.Contains("[REDACTED:generic-api-key]", all.ToString(), StringComparison.Ordinal);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(all.ToString())));
        Assert.True(hash == GoldenHash, $"the prompts changed: hash {hash}");
    }

    /// <summary>Code-like files, some with a credential on an added or context line, and a few large ones to clip.</summary>
    private static List<PullRequestFile> Files()
    {
        var random = new Random(1313);
        var files = new List<PullRequestFile>();
        for (var i = 0; i < 600; i++)
        {
            var patch = i % 150 == 7 ? Patch(random, 40, 30) : Patch(random, 1 + random.Next(4), 12);
            if (i % 9 == 0)
            {
                var secret = $"q{random.Next():x8}Zr7Lm{random.Next():x8}Vt4";
                // Into the first added (or context) line, so the hunk's line counts stay right.
                var at = patch.IndexOf(i % 2 == 0 ? "\n+" : "\n ", StringComparison.Ordinal) + 2;
                patch = patch.Insert(at, i % 2 == 0 ? $"var api_key = \"{secret}\"; " : $"client_secret: {secret} ");
            }

            files.Add(File(i % 40 == 3 ? $"config/.env.{i}" : $"src/Module{i / 50}/Service{i}.cs", patch));
        }

        return files;
    }
}

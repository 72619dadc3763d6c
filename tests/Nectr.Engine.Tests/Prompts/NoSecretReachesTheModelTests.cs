using Nectr.Engine.Budget;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;
using Nectr.Engine.Tests.Budget;

namespace Nectr.Engine.Tests.Prompts;

/// <summary>DESIGN §8: no secret reaches the LLM, whichever way it enters the pull request.</summary>
public sealed class NoSecretReachesTheModelTests
{
    [Fact]
    public void Secrets_in_code_text_context_and_answers_appear_in_no_prompt()
    {
        var files = new List<PullRequestFile>
        {
            SyntheticPullRequest.File("deploy/.env", $"@@ -0,0 +1,2 @@\n+API_KEY={Secrets.Canary}\n+REGION=eu", "added"),
            SyntheticPullRequest.File("src/Settings.py", $"@@ -1,2 +1,5 @@\n import os\n+password = \"{Secrets.Canary}\"\n+aws_access_key_id = \"{Secrets.AwsKeyId}\"\n+aws_secret_access_key = \"{Secrets.AwsSecret}\"\n+GITHUB_TOKEN = \"{Secrets.GitHubPat}\"\n DEBUG = False"),
            SyntheticPullRequest.File("certs/README.md", "@@ -1,1 +1,6 @@\n Keys:\n+" + string.Join("\n+", Secrets.PrivateKey.Split('\n'))),
        };
        var request = SyntheticPullRequest.Request(files, title: $"Rotate {Secrets.GitHubPat}", description: $"Old key was {Secrets.AwsKeyId}.\naws_secret_access_key: {Secrets.AwsSecret}\n{Secrets.PrivateKey}") with
        {
            CommitMessages = [$"Add API_KEY={Secrets.Canary}", $"token: {Secrets.GitHubPat}"],
        };
        var prepared = new ReviewEngine().Prepare(request);
        var context = new PromptContext([
            new ContextBlock(ContextKind.LinkedIssue, $"Leaked {Secrets.GitHubPat}", $"password = \"{Secrets.Canary}\""),
            new ContextBlock(ContextKind.Mcp, "tool", Secrets.PrivateKey),
        ]);
        var input = new PromptInput(request, prepared.BuiltIn, context, "n0nce-secrets-1");
        var plan = ChunkPlanner.Plan(prepared, new PromptBudget(128_000, 8_000, 2, ReviewPrompts.FixedTokens(input, O200kTokenCounter.Shared)), O200kTokenCounter.Shared);
        var chunk = Assert.Single(plan.Chunks);
        Assert.NotEmpty(prepared.BuiltIn);

        var texts = new List<string> { ReviewPrompts.Repair($"Unexpected token near API_KEY={Secrets.Canary} and {Secrets.GitHubPat}") };
        var prompts = new List<Prompt>
        {
            ReviewPrompts.Standard(input, chunk, 0, 1),
            ReviewPrompts.Synthesis(input, [(Specialty.Security, $"{{\"summary\":\"found password = \\\"{Secrets.Canary}\\\" and {Secrets.AwsKeyId}\"}}")]),
        };
        prompts.AddRange(Enum.GetValues<Specialty>().Select(s => ReviewPrompts.Specialist(s, input, chunk, 0, 1)));
        texts.AddRange(prompts.SelectMany(p => new[] { p.System, p.User }));

        foreach (var text in texts)
        {
            Assert.All(Secrets.Fragments, fragment => Assert.DoesNotContain(fragment, text, StringComparison.Ordinal));
        }

        Assert.Contains("[REDACTED:", prompts[0].User, StringComparison.Ordinal);
        Assert.Contains(plan.NotSent, s => s.Path == "deploy/.env" && s.Reason == SensitiveFiles.Reason);
    }
}

using Nectr.Engine.Budget;
using Nectr.Engine.Findings;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Review;

public sealed class ModelReviewTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<ModelReviewResult> RunAsync(FakeReviewModel model, int files, IAnswerCache? cache = null, bool parallel = false) =>
        new ModelReview(model, LedgerPullRequest.Settings(parallel), O200kTokenCounter.Shared)
            .RunAsync(LedgerPullRequest.Prepare(files), PromptContext.Empty, cache ?? IAnswerCache.None, Ct);

    [Fact]
    public async Task Each_part_is_asked_once_with_the_answer_schema_and_the_answers_are_merged_into_one()
    {
        var model = new FakeReviewModel(q => FakeReviewModel.Json($"Summary of part {q.Part}.", FakeReviewModel.Finding(q.Part, $"Issue {q.Part}"), confidence: q.Part + 2, "Adds a table"));

        var result = await RunAsync(model, files: 2);

        Assert.Equal([1, 2], model.Asked.Select(q => q.Part).Order());
        Assert.All(model.Asked, q => Assert.Equal(ResponseSchema.Answer, q.Schema));
        var answer = Assert.IsType<ModelAnswer>(result.Outcome.Answer);
        Assert.Equal("Summary of part 1.\n\nSummary of part 2.", answer.Summary);
        Assert.Equal(["Issue 1", "Issue 2"], answer.Findings.Select(f => f.Title));
        Assert.Equal(["Adds a table"], answer.KeyChanges);
        Assert.Equal(3, answer.Confidence); // the least confident part speaks for the whole
        Assert.Equal(new LlmUsage(2, 2_000, 200, 0.02m), result.Outcome.Usage);
        Assert.Equal("fake-model", result.Outcome.Model);
        Assert.Empty(result.Outcome.Notes);
        Assert.Empty(result.UnreadableParts);
    }

    [Fact]
    public async Task An_unreadable_answer_gets_one_repair_turn_that_quotes_the_parse_error()
    {
        var model = new FakeReviewModel(q => q.IsRepair ? FakeReviewModel.Json("Repaired.") : "Sure! Here is my review: it looks fine.");

        var result = await RunAsync(model, files: 1);

        Assert.Equal(2, model.Asked.Count);
        var repair = model.Asked[1];
        Assert.Equal([TurnRole.User, TurnRole.Assistant, TurnRole.User], repair.Turns.Select(t => t.Role));
        Assert.Equal("Sure! Here is my review: it looks fine.", repair.Turns[1].Text);
        var expected = AnswerParser.Parse("Sure! Here is my review: it looks fine.").Error!;
        Assert.Equal(ReviewPrompts.Repair(expected), repair.LastUser);
        Assert.Equal(model.Asked[0].System, repair.System);
        Assert.Equal("Repaired.", result.Outcome.Answer?.Summary);
        Assert.Equal(2, result.Outcome.Usage.Calls); // the repair turn is a paid call too
    }

    [Fact]
    public async Task A_part_still_unreadable_after_the_repair_turn_is_listed_as_not_reviewed_and_the_rest_stands()
    {
        var model = new FakeReviewModel(q => q.Part == 2 ? "no json here" : FakeReviewModel.Json($"Summary of part {q.Part}."));

        var result = await RunAsync(model, files: 3);

        Assert.Equal(2, model.Asked.Count(q => q.Part == 2)); // asked, then repaired once, then given up
        Assert.Equal([2], result.UnreadableParts);
        Assert.Equal(3, result.Parts);
        var skipped = Assert.Single(result.Outcome.NotSent, s => s.Path == "src/ledger2.ts");
        Assert.Contains("not reviewed by the model", skipped.Reason, StringComparison.Ordinal);
        Assert.Equal("Summary of part 1.\n\nSummary of part 3.", result.Outcome.Answer?.Summary);
        Assert.Contains("1 of 3 parts", Assert.Single(result.Outcome.Notes), StringComparison.Ordinal);
        Assert.Equal(4, result.Outcome.Usage.Calls);
    }

    [Fact]
    public async Task When_no_answer_can_be_read_the_review_falls_back_to_the_built_in_checks_and_says_so()
    {
        var model = new FakeReviewModel(_ => "<html>502 Bad Gateway</html>");

        var result = await RunAsync(model, files: 2);

        Assert.Null(result.Outcome.Answer);
        Assert.Contains("built-in checks only", Assert.Single(result.Outcome.Notes), StringComparison.Ordinal);
        Assert.Equal(["src/ledger1.ts", "src/ledger2.ts"], result.Outcome.NotSent.Select(s => s.Path).Order());
    }

    [Fact]
    public async Task Answers_kept_from_an_earlier_run_are_reused_and_only_the_rest_is_asked()
    {
        var cache = new MemoryAnswerCache();
        var first = new FakeReviewModel(q => FakeReviewModel.Json($"Summary of part {q.Part}."));
        var paid = await RunAsync(first, files: 3, cache);
        cache.Forget(key => key.User.Contains("src/ledger3.ts", StringComparison.Ordinal)); // as if the run had failed before part 3

        var retry = new FakeReviewModel(q => FakeReviewModel.Json($"Again, part {q.Part}."));
        var result = await RunAsync(retry, files: 3, cache);

        Assert.Equal([3], retry.Asked.Select(q => q.Part)); // the new run's nonce differs; the questions are the same
        Assert.Equal("Summary of part 1.\n\nSummary of part 2.\n\nAgain, part 3.", result.Outcome.Answer?.Summary);
        Assert.Equal(paid.Outcome.Usage, result.Outcome.Usage); // each paid call counted once: two kept, one new
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public async Task An_unreadable_answer_is_kept_too_so_a_retry_does_not_pay_for_it_again()
    {
        var cache = new MemoryAnswerCache();
        await RunAsync(new FakeReviewModel(_ => "not json"), files: 1, cache);

        var retry = new FakeReviewModel(_ => FakeReviewModel.Json("Never asked."));
        var result = await RunAsync(retry, files: 1, cache);

        Assert.Empty(retry.Asked);
        Assert.Null(result.Outcome.Answer);
        Assert.Equal(2, result.Outcome.Usage.Calls);
    }

    [Fact]
    public async Task Parallel_mode_asks_three_specialists_then_a_synthesis_that_sees_their_answers()
    {
        var model = new FakeReviewModel(q => Specialty(q) == "synthesis"
            ? FakeReviewModel.Json("The synthesis.", FakeReviewModel.Finding(1, "Merged"))
            : FakeReviewModel.Json(Specialty(q) + " view.", FakeReviewModel.Finding(1, Specialty(q))));

        var result = await RunAsync(model, files: 1, parallel: true);

        Assert.Equal(["performance", "readability", "security", "synthesis"], model.Asked.Select(Specialty).Order());
        var synthesis = Assert.Single(model.Asked, q => Specialty(q) == "synthesis");
        Assert.All(["security view.", "performance view.", "readability view."], s => Assert.Contains(s, synthesis.LastUser, StringComparison.Ordinal));
        Assert.Equal("The synthesis.", result.Outcome.Answer?.Summary);
        Assert.Equal(["Merged"], result.Outcome.Answer?.Findings.Select(f => f.Title));
        Assert.Equal(4, result.Outcome.Usage.Calls);
    }

    [Fact]
    public async Task Each_question_tells_the_model_port_its_focus_and_the_nonce_that_fences_the_prompts_data()
    {
        var model = new FakeReviewModel(q => Specialty(q) == "synthesis"
            ? FakeReviewModel.Json("The synthesis.")
            : FakeReviewModel.Json(Specialty(q) + " view."));

        await RunAsync(model, files: 1, parallel: true);
        var standard = new FakeReviewModel(_ => FakeReviewModel.Json("Fine."));
        await RunAsync(standard, files: 1);

        var focusBySpecialty = model.Asked.ToDictionary(Specialty, q => q.Scope!.Focus);
        Assert.Equal(QuestionFocus.Security, focusBySpecialty["security"]);
        Assert.Equal(QuestionFocus.Performance, focusBySpecialty["performance"]);
        Assert.Equal(QuestionFocus.Style, focusBySpecialty["readability"]);
        Assert.Equal(QuestionFocus.Synthesis, focusBySpecialty["synthesis"]);
        Assert.Equal(QuestionFocus.General, Assert.Single(standard.Asked).Scope!.Focus);
        // The nonce is the one that closes the review's untrusted blocks, so data the host adds is fenced alike.
        Assert.All(model.Asked.Concat(standard.Asked), q => Assert.Contains($"</untrusted-data id=\"{q.Scope!.Nonce}\">", q.Turns[0].Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_parallel_mode_an_unreadable_synthesis_leaves_the_specialists_findings_standing()
    {
        var model = new FakeReviewModel(q => Specialty(q) == "synthesis" ? "not json" : FakeReviewModel.Json(Specialty(q) + " view.", FakeReviewModel.Finding(1, Specialty(q))));

        var result = await RunAsync(model, files: 1, parallel: true);

        Assert.Equal(["performance", "readability", "security"], result.Outcome.Answer?.Findings.Select(f => f.Title).Order());
        Assert.Equal(5, result.Outcome.Usage.Calls); // three specialists, the synthesis and its repair turn
    }

    [Fact]
    public async Task A_call_without_a_known_price_makes_the_review_cost_unknown()
    {
        var model = new FakeReviewModel(_ => FakeReviewModel.Json("Fine.")) { Cost = null };

        var result = await RunAsync(model, files: 1);

        Assert.Equal(new LlmUsage(1, 1_000, 100, null), result.Outcome.Usage);
    }

    [Fact]
    public void Merge_dedupes_key_changes_keeps_at_most_twelve_and_skips_empty_summaries()
    {
        var a = new ModelAnswer("First.", [.. Enumerable.Range(1, 10).Select(i => $"change {i}")], [], null);
        var b = new ModelAnswer(" ", ["change 1", "change 11", "change 12", "change 13"], [], 2);

        var merged = ModelReview.Merge([a, b]);

        Assert.Equal("First.", merged.Summary);
        Assert.Equal([.. Enumerable.Range(1, 12).Select(i => $"change {i}")], merged.KeyChanges);
        Assert.Equal(2, merged.Confidence);
    }

    [Fact]
    public void Merge_keeps_the_most_confident_claim_per_resolved_issue()
    {
        var a = new ModelAnswer("A.", [], [], 4) { Resolves = [new ModelResolution(12, 3, "part one"), new ModelResolution(14, 5, "fourteen")] };
        var b = new ModelAnswer("B.", [], [], 4) { Resolves = [new ModelResolution(12, 4, "part two")] };

        var merged = ModelReview.Merge([a, b]);

        Assert.Equal([new ModelResolution(12, 4, "part two"), new ModelResolution(14, 5, "fourteen")], merged.Resolves);
    }

    private static string Specialty(AskedQuestion question) =>
        question.System.Contains("security specialist", StringComparison.Ordinal) ? "security"
        : question.System.Contains("performance specialist", StringComparison.Ordinal) ? "performance"
        : question.System.Contains("readability specialist", StringComparison.Ordinal) ? "readability"
        : question.System.Contains("merge the answers of three specialist", StringComparison.Ordinal) ? "synthesis"
        : "general";
}

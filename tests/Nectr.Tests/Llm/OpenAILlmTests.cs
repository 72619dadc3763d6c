using Microsoft.Extensions.Time.Testing;
using Nectr.Engine.Findings;
using Nectr.Llm;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Llm;

public sealed class OpenAILlmTests
{
    private static readonly LlmCall Call = new("You review pull requests.", [LlmMessage.User("Review this diff: +var x = 1;")], 2048);

    [Fact]
    public async Task Sends_the_chat_completions_shape_with_bearer_key_model_budget_and_prompts()
    {
        await using var fake = await FakeOpenAI.StartAsync();
        fake.EnqueueAnswer("""{"summary":"ok"}""", inputTokens: 10_000, outputTokens: 1_000);
        await using var host = LlmHost.ForOpenAI(fake, ("OPENAI_MODEL", "gpt-4.1"));

        var reply = await host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);

        var request = Assert.Single(fake.Requests);
        Assert.Equal($"Bearer {fake.ApiKey}", request.Header("Authorization"));
        Assert.Equal("gpt-4.1", request.Model);
        Assert.Equal(2048, (int?)(request.Json["max_completion_tokens"] ?? request.Json["max_tokens"]));
        Assert.Equal(["system", "user"], request.Roles);
        Assert.Equal("You review pull requests.", request.SystemText);
        Assert.Contains("+var x = 1;", Assert.Single(request.UserTexts), StringComparison.Ordinal);
        Assert.Equal("""{"summary":"ok"}""", reply.Text);
        Assert.Equal(10_000, reply.InputTokens);
        Assert.Equal(1_000, reply.OutputTokens);
        Assert.Equal(0.028m, host.Prices.Cost(reply)); // 10,000 × $2/M + 1,000 × $8/M
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_json_schema_is_sent_as_the_response_format()
    {
        await using var fake = await FakeOpenAI.StartAsync();
        fake.EnqueueAnswer("{}");
        await using var host = LlmHost.ForOpenAI(fake);

        await host.Client.CompleteAsync(Call with { JsonSchema = AnswerSchema.Json, SchemaName = AnswerSchema.Name }, TestContext.Current.CancellationToken);

        var format = Assert.Single(fake.Requests).Json["response_format"];
        Assert.Equal("json_schema", (string?)format?["type"]);
        Assert.Equal(AnswerSchema.Name, (string?)format?["json_schema"]?["name"]);
        Assert.NotNull(format?["json_schema"]?["schema"]?["properties"]?["findings"]);
    }

    [Fact]
    public async Task A_server_that_refuses_the_schema_is_asked_again_without_it()
    {
        await using var fake = await FakeOpenAI.StartAsync();
        fake.Enqueue(FakeLlmResponse.Error(400, "invalid_request_error", "response_format json_schema is not supported by this model"), FakeLlmResponse.Answer("{}"));
        await using var host = LlmHost.ForOpenAI(fake);

        var reply = await host.Client.CompleteAsync(Call with { JsonSchema = AnswerSchema.Json }, TestContext.Current.CancellationToken);

        Assert.Equal("{}", reply.Text);
        Assert.Equal(2, fake.Requests.Count);
        Assert.NotNull(fake.Requests[0].Json["response_format"]);
        Assert.Null(fake.Requests[1].Json["response_format"]);
    }

    [Fact]
    public async Task A_refused_schema_is_left_out_for_the_rest_of_that_review_only_and_spends_no_retry()
    {
        await using var fake = await FakeOpenAI.StartAsync();
        fake.Enqueue(
            FakeLlmResponse.Error(400, "invalid_request_error", "response_format json_schema is not supported by this model"),
            FakeLlmResponse.Answer("{}"), FakeLlmResponse.Answer("{}"), FakeLlmResponse.Answer("{}"));
        await using var host = LlmHost.ForOpenAIJob(fake, retryBudget: 0);
        var withSchema = Call with { JsonSchema = AnswerSchema.Json };

        await host.Client.CompleteAsync(withSchema, TestContext.Current.CancellationToken);
        await host.Client.CompleteAsync(withSchema, TestContext.Current.CancellationToken);
        await host.NewReview().CompleteAsync(withSchema, TestContext.Current.CancellationToken);

        Assert.Equal([true, false, false, true], fake.Requests.Select(r => r.Json["response_format"] is not null));
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Rate_limit_429_honours_retry_after_ms()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await FakeOpenAI.StartAsync();
        fake.Clock = time;
        fake.Enqueue(
            FakeLlmResponse.Error(429, "requests", "Rate limit reached for gpt-4.1 on requests per min.", "rate_limit_exceeded", new Dictionary<string, string> { ["retry-after-ms"] = "1000", ["retry-after"] = "1" }),
            FakeLlmResponse.Answer("fine"));
        await using var host = LlmHost.ForOpenAI(fake, time);

        var call = host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);
        await LlmClock.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(100), () => call.IsCompleted);
        var reply = await call;

        Assert.Equal("fine", reply.Text);
        var requests = fake.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1), $"retried after {(requests[1].At - requests[0].At).TotalMilliseconds} ms");
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Server_errors_are_retried_up_to_the_limit_then_reported()
    {
        await using var fake = await FakeOpenAI.StartAsync();
        fake.Enqueue(
            FakeLlmResponse.Error(503, "server_error", "The server is overloaded."),
            FakeLlmResponse.Error(502, "server_error", "Bad gateway."),
            FakeLlmResponse.Error(500, "server_error", "The server had an error."));
        await using var host = LlmHost.ForOpenAI(fake, ("LLM_MAX_ATTEMPTS", "3"));

        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Equal(3, fake.Requests.Count);
        Assert.Equal(3, error.Attempts);
        Assert.Contains("3 attempts", error.Reason, StringComparison.Ordinal);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Insufficient_quota_is_permanent_after_one_request_and_points_at_billing()
    {
        await using var fake = await FakeOpenAI.StartAsync();
        fake.Enqueue(FakeLlmResponse.Error(429, "insufficient_quota", "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota",
            new Dictionary<string, string> { ["retry-after"] = "1" }));
        await using var host = LlmHost.ForOpenAI(fake);

        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Single(fake.Requests);
        Assert.True(error.Permanent);
        Assert.Equal(1, error.Attempts);
        Assert.Contains("billing", error.Reason, StringComparison.OrdinalIgnoreCase);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Unauthorized_is_permanent_after_one_request_and_names_the_variable()
    {
        await using var fake = await FakeOpenAI.StartAsync();
        fake.Enqueue(FakeLlmResponse.Error(401, "invalid_request_error", $"Incorrect API key provided: {fake.ApiKey}.", "invalid_api_key"));
        await using var host = LlmHost.ForOpenAI(fake);

        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Single(fake.Requests);
        Assert.True(error.Permanent);
        Assert.Contains("OPENAI_API_KEY", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(fake.ApiKey, error.Reason, StringComparison.Ordinal);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_stalled_answer_is_retried_then_fails_for_the_queue_to_retry_later_with_the_deadline_in_the_reason()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await FakeOpenAI.StartAsync();
        fake.Enqueue(FakeLlmResponse.Stall(), FakeLlmResponse.Stall());
        await using var host = LlmHost.ForOpenAI(fake, time, ("LLM_TIMEOUT_SECONDS", "30"), ("LLM_MAX_ATTEMPTS", "2"));

        var call = host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);
        await fake.WaitForRequestsAsync(1);
        time.Advance(TimeSpan.FromSeconds(30)); // the first attempt's deadline, while its request is surely in flight
        await LlmClock.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(10), () => fake.Requests.Count == 2 || call.IsCompleted); // the backoff
        time.Advance(TimeSpan.FromSeconds(30)); // the second attempt's deadline
        var error = await Assert.ThrowsAsync<LlmException>(() => call);

        Assert.Equal(2, fake.Requests.Count);
        Assert.False(error.Permanent);
        Assert.Contains("LLM_TIMEOUT_SECONDS", error.Reason, StringComparison.Ordinal);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_call_with_nothing_scripted_is_reported_as_unexpected()
    {
        await using var fake = await FakeOpenAI.StartAsync();
        await using var host = LlmHost.ForOpenAI(fake, ("LLM_MAX_ATTEMPTS", "1"));

        await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Single(fake.UnexpectedCalls);
    }

    [Fact]
    public async Task An_obedient_responder_answers_what_is_not_scripted()
    {
        await using var fake = await FakeOpenAI.StartAsync();
        fake.Responder = request => $"echo: {request.UserTexts[^1]}";
        await using var host = LlmHost.ForOpenAI(fake);

        var reply = await host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);

        Assert.Equal("echo: Review this diff: +var x = 1;", reply.Text);
        fake.AssertNoUnexpectedCalls();
    }
}

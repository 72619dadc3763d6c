using Microsoft.Extensions.Time.Testing;
using Nectr.Llm;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Llm;

public sealed class AnthropicLlmTests
{
    private static readonly LlmCall Call = new("You review pull requests.", [LlmMessage.User("Review this diff: +var x = 1;")], 1024);

    [Fact]
    public async Task Sends_the_messages_api_shape_with_key_version_model_budget_and_prompts()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        fake.EnqueueAnswer("""{"summary":"ok"}""", inputTokens: 1200, outputTokens: 300);
        await using var host = LlmHost.ForAnthropic(fake, ("ANTHROPIC_MODEL", "claude-sonnet-4-5"));

        var reply = await host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);

        var request = Assert.Single(fake.Requests);
        Assert.Equal(fake.ApiKey, FakeAnthropic.KeyOf(request));
        Assert.False(string.IsNullOrEmpty(request.Header("anthropic-version")));
        Assert.Equal("claude-sonnet-4-5", request.Model);
        Assert.Equal(1024, (int?)request.Json["max_tokens"]);
        Assert.Equal("You review pull requests.", request.SystemText);
        Assert.Equal(["user"], request.Roles);
        Assert.Contains("+var x = 1;", Assert.Single(request.UserTexts), StringComparison.Ordinal);
        Assert.Equal("""{"summary":"ok"}""", reply.Text);
        Assert.Equal(1200, reply.InputTokens);
        Assert.Equal(300, reply.OutputTokens);
        Assert.Equal("claude-sonnet-4-5", reply.Model);
        Assert.Equal(1, reply.Attempts);
        Assert.Equal(0.0081m, host.Prices.Cost(reply)); // 1200 × $3/M + 300 × $15/M
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_re_prompt_sends_the_whole_conversation()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        fake.EnqueueAnswer("{}");
        await using var host = LlmHost.ForAnthropic(fake);

        await host.Client.CompleteAsync(Call with { Messages = [.. Call.Messages, LlmMessage.Assistant("not json"), LlmMessage.User("Answer with the JSON object only.")] }, TestContext.Current.CancellationToken);

        Assert.Equal(["user", "assistant", "user"], Assert.Single(fake.Requests).Roles);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Overloaded_529_is_retried()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Enqueue(FakeLlmResponse.Error(529, "overloaded_error", "Overloaded"), FakeLlmResponse.Answer("fine"));
        await using var host = LlmHost.ForAnthropic(fake);

        var reply = await host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);

        Assert.Equal("fine", reply.Text);
        Assert.Equal(2, reply.Attempts);
        Assert.Equal([529, 200], fake.Requests.Select(r => r.Status));
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Rate_limit_429_waits_at_least_the_retry_after()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Clock = time;
        fake.Enqueue(
            FakeLlmResponse.Error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", headers: new Dictionary<string, string> { ["retry-after"] = "1" }),
            FakeLlmResponse.Answer("fine"));
        await using var host = LlmHost.ForAnthropic(fake, time);

        var call = host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);
        await LlmClock.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(100), () => call.IsCompleted);
        var reply = await call;

        Assert.Equal("fine", reply.Text);
        var requests = fake.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1), $"retried after {(requests[1].At - requests[0].At).TotalMilliseconds} ms on the clock");
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Credit_balance_error_is_permanent_after_one_request_and_points_at_billing()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Enqueue(FakeLlmResponse.Error(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."));
        await using var host = LlmHost.ForAnthropic(fake);

        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Single(fake.Requests);
        Assert.True(error.Permanent);
        Assert.Equal(1, error.Attempts);
        Assert.Contains("billing", error.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("console.anthropic.com", error.Reason, StringComparison.Ordinal);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Billing_error_type_is_permanent()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Enqueue(FakeLlmResponse.Error(402, "billing_error", "Billing issue."));
        await using var host = LlmHost.ForAnthropic(fake);

        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Single(fake.Requests);
        Assert.True(error.Permanent);
        Assert.Contains("billing", error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unauthorized_is_permanent_after_one_request_and_names_the_variable_without_the_key()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Enqueue(FakeLlmResponse.Error(401, "authentication_error", "invalid x-api-key"));
        await using var host = LlmHost.ForAnthropic(fake);

        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Single(fake.Requests);
        Assert.True(error.Permanent);
        Assert.Contains("ANTHROPIC_API_KEY", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(fake.ApiKey, error.Reason, StringComparison.Ordinal);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Invalid_request_is_not_retried()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Enqueue(FakeLlmResponse.Error(400, "invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"));
        await using var host = LlmHost.ForAnthropic(fake);

        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Single(fake.Requests);
        Assert.True(error.Permanent);
        Assert.Contains("prompt is too long", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stalled_answer_hits_the_deadline_is_retried_and_then_fails_for_the_queue_to_retry_later()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Enqueue(FakeLlmResponse.Stall(), FakeLlmResponse.Stall());
        await using var host = LlmHost.ForAnthropic(fake, time, ("LLM_TIMEOUT_SECONDS", "30"), ("LLM_MAX_ATTEMPTS", "2"));

        var call = host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);
        await fake.WaitForRequestsAsync(1);
        time.Advance(TimeSpan.FromSeconds(30)); // the first attempt's deadline, while its request is surely in flight
        await LlmClock.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(10), () => fake.Requests.Count == 2 || call.IsCompleted); // the backoff
        time.Advance(TimeSpan.FromSeconds(30)); // the second attempt's deadline
        var error = await Assert.ThrowsAsync<LlmException>(() => call);

        Assert.Equal(2, fake.Requests.Count);
        Assert.False(error.Permanent);
        Assert.Equal(2, error.Attempts);
        Assert.Contains("did not answer within 30 s (LLM_TIMEOUT_SECONDS)", error.Reason, StringComparison.Ordinal);
        Assert.Contains("2 attempts", error.Reason, StringComparison.Ordinal);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_call_whose_job_has_no_retries_left_is_not_retried_and_says_why()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Enqueue(FakeLlmResponse.Stall());
        await using var host = LlmHost.ForAnthropicJob(fake, time, retryBudget: 0, ("LLM_TIMEOUT_SECONDS", "30"), ("LLM_MAX_ATTEMPTS", "4"));

        var call = host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);
        await fake.WaitForRequestsAsync(1);
        time.Advance(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<LlmException>(() => call);

        Assert.Single(fake.Requests);
        Assert.Equal(1, error.Attempts);
        Assert.False(error.Permanent);
        Assert.Contains("retry budget is spent", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("nectr", fake.Requests[0].Body, StringComparison.OrdinalIgnoreCase); // the budget is ours, never sent to the provider
    }

    [Fact]
    public async Task Every_call_of_a_review_spends_the_same_job_retry_budget()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        var overloaded = FakeLlmResponse.Error(529, "overloaded_error", "Overloaded");
        fake.Enqueue(overloaded, FakeLlmResponse.Answer("first"), overloaded);
        await using var host = LlmHost.ForAnthropicJob(fake, null, retryBudget: 1, ("LLM_MAX_ATTEMPTS", "4"));

        var first = await host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Equal(("first", 2), (first.Text, first.Attempts));
        Assert.Equal([529, 200, 529], fake.Requests.Select(r => r.Status));
        Assert.False(error.Permanent);
        Assert.Equal(1, error.Attempts);
        Assert.Contains("Gave up after 1 attempt (the review job's retry budget is spent)", error.Reason, StringComparison.Ordinal);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Another_review_has_its_own_retry_budget()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        var overloaded = FakeLlmResponse.Error(529, "overloaded_error", "Overloaded");
        fake.Enqueue(overloaded, FakeLlmResponse.Answer("first"), overloaded, FakeLlmResponse.Answer("second"));
        await using var host = LlmHost.ForAnthropicJob(fake, null, retryBudget: 1);

        await host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);
        var second = await host.NewReview().CompleteAsync(Call, TestContext.Current.CancellationToken);

        Assert.Equal(("second", 2), (second.Text, second.Attempts));
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_retry_after_longer_than_llm_retry_max_seconds_is_left_to_the_job_queue()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Enqueue(FakeLlmResponse.Error(429, "rate_limit_error", "Rate limited", headers: new Dictionary<string, string> { ["retry-after"] = "600" }));
        await using var host = LlmHost.ForAnthropic(fake, ("LLM_RETRY_MAX_SECONDS", "60"));

        var error = await Assert.ThrowsAsync<LlmException>(() => host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken));

        Assert.Single(fake.Requests);
        Assert.False(error.Permanent);
        Assert.Contains("It asks to wait 600 s, longer than LLM_RETRY_MAX_SECONDS", error.Reason, StringComparison.Ordinal);
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_retry_after_given_as_an_http_date_is_waited_for()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Clock = time;
        var until = (time.GetUtcNow() + TimeSpan.FromSeconds(3)).ToString("R", System.Globalization.CultureInfo.InvariantCulture); // whole seconds: 2 to 3 s away
        fake.Enqueue(
            FakeLlmResponse.Error(503, "api_error", "Service unavailable", headers: new Dictionary<string, string> { ["retry-after"] = until }),
            FakeLlmResponse.Answer("fine"));
        await using var host = LlmHost.ForAnthropic(fake, time);

        var call = host.Client.CompleteAsync(Call, TestContext.Current.CancellationToken);
        await LlmClock.AdvanceUntilAsync(time, TimeSpan.FromMilliseconds(100), () => call.IsCompleted);
        var reply = await call;

        Assert.Equal("fine", reply.Text);
        var requests = fake.Requests;
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(2), $"retried after {(requests[1].At - requests[0].At).TotalMilliseconds} ms on the clock");
        fake.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task The_callers_token_cancels_without_retrying()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await FakeAnthropic.StartAsync();
        fake.Enqueue(FakeLlmResponse.Stall());
        await using var host = LlmHost.ForAnthropic(fake, time, ("LLM_TIMEOUT_SECONDS", "30"));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var call = host.Client.CompleteAsync(Call, cancel.Token);
        await fake.WaitForRequestsAsync(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(fake.Requests);
    }
}

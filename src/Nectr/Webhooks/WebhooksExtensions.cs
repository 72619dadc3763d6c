namespace Nectr.Webhooks;

internal static class WebhooksExtensions
{
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddSingleton<WebhookBodyBudget>();
        builder.Services.AddSingleton<WebhookIntake>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookIntake>());
        builder.Services.AddSingleton<SignatureFailureLog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SignatureFailureLog>());
        builder.Services.AddSingleton<PayloadRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PayloadRetention>());
        return builder;
    }
}

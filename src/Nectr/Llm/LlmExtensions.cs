using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.EntityFrameworkCore;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Jobs;
using Nectr.Reviews;

namespace Nectr.Llm;

internal static class LlmExtensions
{
    /// <summary>
    /// Registers <see cref="LlmClient"/> (one per scope: a review) and <see cref="PriceTable"/> always, and, when an
    /// LLM is configured, the handler pipeline both SDKs send through, with its retries (<see cref="LlmResilience"/>).
    /// </summary>
    public static IHostApplicationBuilder AddLlm(this IHostApplicationBuilder builder, LlmOptions llm)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new PriceTable(llm.PriceOverrides));
        services.TryAddSingleton<LlmReachability>();
        if (llm.Enabled)
        {
            services.AddHttpClient(LlmResilience.ClientName)
                // Long-lived pooled connections: recycled so DNS changes of the provider are picked up.
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.All })
                .AddLlmRetries(llm);
        }

        // Model answers are kept with their review job where there is a database (the server), not in the command line.
        services.TryAddSingleton(sp => new ModelAnswerStore(
            sp.GetService<IDbContextFactory<NectrDb>>(),
            sp.GetService<DbWriteGate>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ModelAnswerStore>>()));
        services.AddScoped(sp => new LlmClient(
            llm,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LlmClient>>(),
            llm.Enabled ? sp.GetRequiredService<IHttpMessageHandlerFactory>() : null,
            sp.GetService<RetryBudget>(),
            sp.GetRequiredService<LlmReachability>()));
        return builder;
    }
}

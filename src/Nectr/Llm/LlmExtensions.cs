using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.EntityFrameworkCore;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Reviews;

namespace Nectr.Llm;

internal static class LlmExtensions
{
    /// <summary>Keys the HttpClient both SDKs send through, so the container disposes it.</summary>
    private const string HttpClientKey = "Nectr.Llm";

    /// <summary>
    /// Registers <see cref="LlmClient"/> and <see cref="PriceTable"/> always, and the provider's resilient
    /// <see cref="IChatClient"/> when an LLM is configured.
    /// </summary>
    public static IHostApplicationBuilder AddLlm(this IHostApplicationBuilder builder, LlmOptions llm)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new PriceTable(llm.PriceOverrides));
        if (llm.Enabled)
        {
            services.AddKeyedSingleton(HttpClientKey, (sp, _) => new HttpClient(
                new LlmHttpProbeHandler(sp.GetRequiredService<TimeProvider>())
                {
                    // Long-lived client: recycle connections so DNS changes of the provider are picked up.
                    InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.All },
                })
            {
                Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own deadline
            });
            services.AddSingleton<IChatClient>(sp => new ResilientChatClient(
                ChatClientFactory.Create(llm, sp.GetRequiredKeyedService<HttpClient>(HttpClientKey)),
                llm,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ResilientChatClient>>()));
        }

        // Model answers are kept with their review job where there is a database (the server), not in the command line.
        services.TryAddSingleton(sp => new ModelAnswerStore(
            sp.GetService<IDbContextFactory<NectrDb>>(),
            sp.GetService<DbWriteGate>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ModelAnswerStore>>()));
        services.AddSingleton(sp => new LlmClient(
            sp.GetService<IChatClient>(), llm, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LlmClient>>()));
        return builder;
    }
}

using Nectr.Engine.Diffs;

namespace Nectr.Engine.Tests.Findings;

/// <summary>The pull request every corpus answer reviews: three files as GitHub's "list files" API returns their patches.</summary>
internal static class GoldenPatches
{
    public const string OrderService = "src/Orders/OrderService.cs";
    public const string Client = "web/src/api/client.ts";
    public const string Deploy = "scripts/deploy.py";

    public static IReadOnlyDictionary<string, FilePatch> All { get; } = new Dictionary<string, FilePatch>(StringComparer.Ordinal)
    {
        [OrderService] = PatchParser.Parse(OrderServicePatch),
        [Client] = PatchParser.Parse(ClientPatch),
        [Deploy] = PatchParser.Parse(DeployPatch),
    };

    private const string OrderServicePatch = """
        @@ -10,13 +10,17 @@ namespace Shop.Orders;
         public sealed class OrderService(IOrderRepository orders, ILogger<OrderService> logger)
         {
             public async Task<Order?> FindAsync(int id, CancellationToken ct)
             {
        -        return await orders.GetAsync(id, ct);
        +        var order = await orders.GetAsync(id, ct);
        +        logger.LogInformation("Loaded order {Id} for {Email}", id, order.Customer.Email);
        +        return order;
             }
         
             public async Task CancelAsync(int id, CancellationToken ct)
             {
        -        var order = await orders.GetAsync(id, ct);
        -        order.Status = OrderStatus.Cancelled;
        +        var order = await orders.GetAsync(id, ct) ?? throw new OrderNotFoundException(id);
        +        order.Status = OrderStatus.Cancelled;
        +        order.CancelledAt = DateTime.Now;
        +        await orders.SaveAsync(order, ct);
             }
         
        @@ -40,5 +44,11 @@ public sealed class OrderService(IOrderRepository orders, ILogger<OrderService> logger)
             public Task<int> CountAsync(CancellationToken ct) => orders.CountAsync(ct);
         
        +    public async Task<decimal> TotalAsync(int id, CancellationToken ct)
        +    {
        +        var order = await orders.GetAsync(id, ct);
        +        return order!.Lines.Sum(l => l.Price * l.Quantity);
        +    }
        +
             private static void Validate(Order order)
             {
                 ArgumentNullException.ThrowIfNull(order);
        """;

    private const string ClientPatch = """
        @@ -1,9 +1,15 @@
         import { config } from "../config";
        +import { getToken } from "../auth/session";
         
         export async function fetchJson<T>(path: string): Promise<T> {
        -  const res = await fetch(config.apiBase + path);
        +  const token = getToken();
        +  const res = await fetch(config.apiBase + path, {
        +    headers: { Authorization: `Bearer ${token}` },
        +  });
        +  console.log("token", token);
           if (!res.ok) {
             throw new Error(`Request failed: ${res.status}`);
           }
        +  // TODO: retry on 503
           return (await res.json()) as T;
         }
        """;

    private const string DeployPatch = """
        @@ -0,0 +1,12 @@
        +import os
        +import subprocess
        +
        +
        +def deploy(env):
        +    target = os.environ.get("DEPLOY_TARGET", "staging")
        +    cmd = f"rsync -az build/ {target}:/srv/app --env={env}"
        +    subprocess.run(cmd, shell=True)
        +    print("deployed to", target)
        +
        +if __name__ == "__main__":
        +    deploy(os.environ["ENV"])
        """;
}

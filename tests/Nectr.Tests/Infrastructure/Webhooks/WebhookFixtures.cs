namespace Nectr.Tests.Infrastructure;

/// <summary>One of GitHub's example payloads (see Fixtures/webhooks/README.md).</summary>
public sealed record WebhookFixture(string Name, string Event, string? Action, byte[] Body);

public static class WebhookFixtures
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "webhooks");

    public static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    /// <summary>Every example of <paramref name="eventName"/>, in a stable order.</summary>
    public static IEnumerable<WebhookFixture> All(string eventName) =>
        System.IO.Directory.GetFiles(Directory, eventName + "*.json")
            .Select(Path.GetFileName)
            .Where(name => name!.Split('.')[0] == eventName)
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                var parts = name!.Split('.');
                var action = parts.Length > 2 && !int.TryParse(parts[1], out _) ? parts[1] : null;
                return new WebhookFixture(name, eventName, action, Load(name));
            });
}

namespace Nectr.Engine.Tests.Prompts;

/// <summary>Invented credentials of the shapes the gitleaks rules describe; none of them is real.</summary>
internal static class Secrets
{
    public const string AwsKeyId = "AKIAQ3WZ7XK2LMNP4RTV";
    public const string AwsSecret = "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";
    public const string GitHubPat = "ghp_R8mK2pLq9ZtW4vXc7NbJ3hYf6DsA1eUo0GiT";
    public const string Canary = "NECTR_CANARY_9f8e7d6c5b4a";
    public const string PrivateKeyBody = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0";

    public const string PrivateKey =
        "-----BEGIN RSA PRIVATE KEY-----\n" +
        PrivateKeyBody + "\n" +
        "/n7DQ0akjzQVxvZ9s5VHkHd8k1m3VzwMGbkBKfVYRhKyt9jtxXVT9ZB7QVwi6Re3b0HoJp0c1m3t\n" +
        "a9ZlQqMzhYcBYbZ1Sj1YCZ0J6u1M1Yx3gQ8sKQJ4wHx0YfZbQ6LwT1RjM8tV2nU3kX7pA9cD5eG\n" +
        "-----END RSA PRIVATE KEY-----";

    /// <summary>Fragments that must never appear in a prompt: each secret, and a distinctive part of it.</summary>
    public static readonly string[] Fragments =
    [
        AwsKeyId, AwsKeyId[4..], AwsSecret, AwsSecret[..16], GitHubPat, GitHubPat[4..], Canary, "9f8e7d6c5b4a", PrivateKeyBody[..24],
    ];
}

namespace Nectr.Cli;

/// <summary>What a command's exit code tells a script (README, "Review from the command line").</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary><c>nectr review --fail-on</c> matched a finding.</summary>
    public const int FindingsAtThreshold = 1;

    /// <summary>A usage or configuration error, or a database <c>nectr migrate</c> cannot reach.</summary>
    public const int UsageOrConfiguration = 2;

    /// <summary>git, GitHub or the model failed.</summary>
    public const int Failure = 3;

    /// <summary>Stopped by Ctrl+C (SIGINT): 128 + 2, as shells report it.</summary>
    public const int Cancelled = 130;
}

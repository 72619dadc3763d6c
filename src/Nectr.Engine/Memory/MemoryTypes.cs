namespace Nectr.Engine.Memory;

/// <summary>
/// The kinds of project memory, named as the API and the stored rows spell them. Project-wide: rules, code patterns,
/// decisions and the project map; about one developer: their patterns, strengths and contributor profile.
/// </summary>
public static class MemoryTypes
{
    public const string ProjectRule = "project_rule";
    public const string CodePattern = "code_pattern";
    public const string Decision = "decision";
    public const string DeveloperPattern = "developer_pattern";
    public const string DeveloperStrength = "developer_strength";
    public const string ContributorProfile = "contributor_profile";
    public const string ProjectMap = "project_map";

    /// <summary>Every type, in the order lists and stats show them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [ProjectRule, CodePattern, Decision, DeveloperPattern, DeveloperStrength, ContributorProfile, ProjectMap];

    /// <summary>Exactly one of <see cref="All"/> (case-sensitive, as stored).</summary>
    public static bool IsKnown(string? type) => type is not null && All.Contains(type, StringComparer.Ordinal);
}

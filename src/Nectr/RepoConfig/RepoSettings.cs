using System.Text.Json.Serialization;

namespace Nectr.RepoConfig;

/// <summary>
/// The keys of <c>.nectr.yml</c> (docs/nectr.schema.json), each null when not set. The dashboard's overrides are stored
/// in the same shape (<c>repositories.SettingsOverridesJson</c>), so one schema checks both.
/// </summary>
internal sealed record RepoSettings
{
    public IReadOnlyList<string>? Ignore { get; init; }
    public IReadOnlyList<PathInstructionSetting>? PathInstructions { get; init; }
    public string? SeverityThreshold { get; init; }
    public int? MaxInlineComments { get; init; }
    public string? Profile { get; init; }
    public string? Language { get; init; }
    public bool? Blocking { get; init; }
    public bool? ReviewDrafts { get; init; }
    public AutoReviewSetting? AutoReview { get; init; }
    public string? Forks { get; init; }

    public static RepoSettings Empty { get; } = new();
}

internal sealed record PathInstructionSetting(string Path, string Instructions);

internal sealed record AutoReviewSetting(bool? Enabled, IReadOnlyList<string>? BaseBranches);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RepoSettings))]
internal sealed partial class RepoSettingsJsonContext : JsonSerializerContext;

namespace Nectr.Configuration;

/// <summary>
/// The read-only tools the model may call during a standard review (read a file at the head SHA, file history,
/// issues, project memory), and the bounds of that loop: rounds of tool calls per question, bytes per tool result,
/// tokens of all tool results of a question (never more than the context window has left), and wall time.
/// </summary>
internal sealed class ReviewToolOptions
{
    internal static readonly IntSetting RoundsSetting = new("REVIEW_TOOL_ROUNDS", 4, 0, 20);
    internal static readonly IntSetting ResultBytesSetting = new("REVIEW_TOOL_RESULT_BYTES", 16_384, 1_024, 262_144);
    internal static readonly IntSetting TokensSetting = new("REVIEW_TOOL_TOKENS", 24_000, 1_000, 1_000_000);
    internal static readonly SecondsSetting TimeSetting = new("REVIEW_TOOL_SECONDS", 120, 1, 3600);

    [ConfigurationKeyName("REVIEW_TOOL_ROUNDS")] public string? RoundsText { get; set; }
    [ConfigurationKeyName("REVIEW_TOOL_RESULT_BYTES")] public string? ResultBytesText { get; set; }
    [ConfigurationKeyName("REVIEW_TOOL_TOKENS")] public string? TokensText { get; set; }
    [ConfigurationKeyName("REVIEW_TOOL_SECONDS")] public string? TimeText { get; set; }

    /// <summary>Model turns per question that may call tools; then one more turn answers without them. 0 turns the tools off.</summary>
    public int Rounds => RoundsSetting.Read(RoundsText);

    /// <summary>UTF-8 bytes of one tool result as the model sees it; a longer result is cut and says so.</summary>
    public int ResultBytes => ResultBytesSetting.Read(ResultBytesText);

    /// <summary>Tokens of all tool results of one question, further bounded by the room the context window has left.</summary>
    public int Tokens => TokensSetting.Read(TokensText);

    /// <summary>Wall time of one question's tool rounds (model turns and tool runs); then the model is asked for its answer.</summary>
    public TimeSpan Time => TimeSetting.Read(TimeText);

    public bool Enabled => Rounds > 0;
}

internal sealed class ReviewToolOptionsValidator : OptionsValidator<ReviewToolOptions>
{
    protected override void Check(ReviewToolOptions options, List<string> errors)
    {
        ReviewToolOptions.RoundsSetting.Check(options.RoundsText, errors);
        ReviewToolOptions.ResultBytesSetting.Check(options.ResultBytesText, errors);
        ReviewToolOptions.TokensSetting.Check(options.TokensText, errors);
        ReviewToolOptions.TimeSetting.Check(options.TimeText, errors);
    }
}

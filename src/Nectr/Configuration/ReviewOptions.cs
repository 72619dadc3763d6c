using Nectr.Engine.Review;

namespace Nectr.Configuration;

/// <summary>What a review does: which pull requests it takes, how many inline comments, and whether it may block.</summary>
internal sealed class ReviewOptions
{
    internal static readonly BoolSetting DraftsSetting = new("REVIEW_DRAFTS", false);
    internal static readonly IntSetting MaxInlineCommentsSetting = new("REVIEW_MAX_INLINE_COMMENTS", 50, 0, 500);
    internal static readonly BoolSetting BlockingSetting = new("REVIEW_BLOCKING", false);
    internal const string MinInlineSeverityKey = "REVIEW_MIN_INLINE_SEVERITY";

    [ConfigurationKeyName("REVIEW_DRAFTS")] public string? ReviewDraftsText { get; set; }
    [ConfigurationKeyName("REVIEW_MAX_INLINE_COMMENTS")] public string? MaxInlineCommentsText { get; set; }
    [ConfigurationKeyName(MinInlineSeverityKey)] public string? InlineThresholdText { get; set; }
    [ConfigurationKeyName("REVIEW_BLOCKING")] public string? BlockingReviewsText { get; set; }

    public bool ReviewDrafts => DraftsSetting.Read(ReviewDraftsText);
    public int MaxInlineComments => MaxInlineCommentsSetting.Read(MaxInlineCommentsText);

    /// <summary>Findings less severe than this are listed in the review body instead of posted inline.</summary>
    public Severity InlineThreshold => ParseSeverity(Setting.Text(InlineThresholdText)) ?? Severity.Nit;

    /// <summary>Post REQUEST_CHANGES when the verdict says so; by default every review is a COMMENT. Never APPROVE.</summary>
    public bool BlockingReviews => BlockingSetting.Read(BlockingReviewsText);

    internal static Severity? ParseSeverity(string? text) =>
        Enum.TryParse<Severity>(text, ignoreCase: true, out var severity) && Enum.IsDefined(severity) && !int.TryParse(text, out _) ? severity : null;
}

internal sealed class ReviewOptionsValidator : OptionsValidator<ReviewOptions>
{
    protected override void Check(ReviewOptions options, List<string> errors)
    {
        ReviewOptions.DraftsSetting.Check(options.ReviewDraftsText, errors);
        ReviewOptions.MaxInlineCommentsSetting.Check(options.MaxInlineCommentsText, errors);
        if (Setting.Text(options.InlineThresholdText) is { } raw && ReviewOptions.ParseSeverity(raw) is null)
        {
            errors.Add($"{ReviewOptions.MinInlineSeverityKey} '{raw}' is not a severity; use critical, high, medium, low or nit (default nit: every finding may be posted inline).");
        }

        ReviewOptions.BlockingSetting.Check(options.BlockingReviewsText, errors);
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Nectr.Engine.Budget;
using Nectr.Engine.Findings;
using Nectr.Engine.Review;

namespace Nectr.Engine.Prompts;

/// <summary>
/// Builds every prompt of a review from the versioned templates in <c>Prompts/Templates</c>. Text from the PR
/// author or third parties is redacted of secrets, truncated to a sane size and wrapped in an untrusted block.
/// </summary>
public static partial class ReviewPrompts
{
    /// <summary>Recorded with each review, so a change in answers can be traced to a change of prompts.</summary>
    public const string Version = "v2";

    // Chat APIs frame each message with a few tokens of their own; two messages per call.
    private const int MessageOverheadTokens = 8;

    // The count of a prompt with hunks is not exactly the count without them plus the count of the hunks.
    private const int JoinAllowanceTokens = 16;

    /// <summary>A fresh nonce for one review's untrusted blocks: 96 random bits, hex.</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>A general review call over one chunk; <paramref name="index"/> is 0-based, of <paramref name="count"/> chunks.</summary>
    public static Prompt Standard(PromptInput input, PromptChunk chunk, int index, int count) =>
        Build(input, Focus(null), chunk, index, count);

    /// <summary>A call that looks at one chunk for one kind of problem only.</summary>
    public static Prompt Specialist(Specialty specialty, PromptInput input, PromptChunk chunk, int index, int count) =>
        Build(input, Focus(specialty), chunk, index, count);

    /// <summary>Merges the specialists' answers (model output, so untrusted) into the final answer.</summary>
    public static Prompt Synthesis(PromptInput input, IReadOnlyList<(Specialty Specialty, string AnswerJson)> specialistAnswers)
    {
        Validate(input);
        ArgumentNullException.ThrowIfNull(specialistAnswers);
        var answers = new StringBuilder();
        foreach (var (specialty, json) in specialistAnswers)
        {
            answers.Append("### ").Append(Name(specialty)).Append(" specialist\n\n")
                .Append(Untrusted(input, $"{Name(specialty)}-answer", json ?? "", PromptLimits.AnswerChars)).Append("\n\n");
        }

        var user = PromptTemplate.Get("synthesis").Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["repository"] = Repository(input.Request),
            ["number"] = input.Request.Number.ToString(CultureInfo.InvariantCulture),
            ["title"] = Untrusted(input, "pr-title", input.Request.Title, PromptLimits.TitleChars),
            ["answers"] = answers.Length == 0 ? "(none)" : answers.ToString().TrimEnd('\n'),
        });
        return new Prompt(System(input, PromptTemplate.Get("synthesis-focus").Render(NoSlots)), user);
    }

    /// <summary>The follow-up user message after an answer the parser could not read.</summary>
    public static string Repair(string parseError)
    {
        ArgumentNullException.ThrowIfNull(parseError);
        // The parser's message may quote the model's output: one line, short, redacted, never a delimiter.
        var line = Whitespace().Replace(UntrustedText.Neutralise(SecretRedactor.Redact(parseError)), " ").Trim();
        return PromptTemplate.Get("repair").Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["parse_error"] = Truncate(line, PromptLimits.ParseErrorChars),
        });
    }

    /// <summary>
    /// Tokens that every call of this review spends besides its hunks: the longest system prompt of any call kind plus
    /// the user prompt without hunks, with allowances for message framing. The caller builds the <see cref="PromptBudget"/> from it.
    /// </summary>
    public static int FixedTokens(PromptInput input, ITokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(counter);
        var empty = new PromptChunk([], 0);
        var focuses = new[] { Focus(null) }.Concat(Enum.GetValues<Specialty>().Select(s => Focus(s)));
        // 999 parts is the widest part note any plan can need; digits cost the same tokens up to three of them.
        // Path instructions are chosen per call by its files: count those matching any file of the review, the most a call can carry.
        var everyFile = input.Request.Files.Select(f => f.Path).ToList();
        var widest = focuses.Max(focus => Count(Build(input, focus, empty, 998, 999, everyFile), counter));
        return widest + MessageOverheadTokens + JoinAllowanceTokens;
    }

    private static int Count(Prompt prompt, ITokenCounter counter) => counter.Count(prompt.System) + counter.Count(prompt.User);

    private static Prompt Build(PromptInput input, string focus, PromptChunk chunk, int index, int count, IReadOnlyList<string>? guidedFiles = null)
    {
        Validate(input);
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        var request = input.Request;
        var user = PromptTemplate.Get("review-user").Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["repository"] = Repository(request),
            ["number"] = request.Number.ToString(CultureInfo.InvariantCulture),
            ["part_note"] = count == 1 ? "" : string.Create(CultureInfo.InvariantCulture,
                $" This is part {index + 1} of {count}: the other parts show other files and are reviewed separately, so review the files shown here."),
            ["title"] = Untrusted(input, "pr-title", request.Title, PromptLimits.TitleChars),
            ["description"] = string.IsNullOrWhiteSpace(request.Description)
                ? "(none)"
                : Untrusted(input, "pr-description", request.Description, PromptLimits.DescriptionChars),
            ["commits"] = request.CommitMessages.Count == 0 ? "(none)" : Untrusted(input, "commit-messages", Commits(request.CommitMessages), PromptLimits.CommitChars),
            ["hints"] = Hints(input),
            ["context"] = PathGuidance(input, guidedFiles ?? chunk.Files.Select(f => f.Path).ToList()) + Context(input),
            // Hunks were redacted by HunkRenderer when the plan was made; scanning megabytes again per call (four calls
            // per chunk with specialists) would cost seconds, and would change the token count the plan relied on.
            ["diff"] = UntrustedText.Block("diff", input.Nonce, chunk.Text),
        });
        return new Prompt(System(input, focus), user);
    }

    private static string System(PromptInput input, string focus) =>
        PromptTemplate.Get("review-system").Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["focus"] = focus + GuidanceSystem(input.Request.Settings.Guidance),
            ["nonce"] = input.Nonce,
            ["answer_schema"] = AnswerSchema.Json,
        });

    private static string Focus(Specialty? specialty) => PromptTemplate.Get(specialty switch
    {
        null => "focus-general",
        Specialty.Security => "specialist-security",
        Specialty.Performance => "specialist-performance",
        Specialty.Style => "specialist-style",
        _ => throw new ArgumentOutOfRangeException(nameof(specialty), specialty, "Unknown specialty."),
    }).Render(NoSlots);

    private static string Name(Specialty specialty) => specialty switch
    {
        Specialty.Security => "security",
        Specialty.Performance => "performance",
        Specialty.Style => "style",
        _ => throw new ArgumentOutOfRangeException(nameof(specialty), specialty, "Unknown specialty."),
    };

    private static readonly Dictionary<string, string> NoSlots = new(StringComparer.Ordinal);

    private static void Validate(PromptInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(input.Request);
        ArgumentNullException.ThrowIfNull(input.BuiltInHints);
        ArgumentNullException.ThrowIfNull(input.Context);
        if (input.Nonce is null || !NoncePattern().IsMatch(input.Nonce))
        {
            throw new ArgumentException("The nonce must be 8 to 64 letters, digits, '-' or '_' (use ReviewPrompts.NewNonce()).", nameof(input));
        }
    }

    /// <summary>Redacted, truncated, neutralised and delimited: the only way PR or third-party text enters a prompt.</summary>
    private static string Untrusted(PromptInput input, string kind, string text, int maxChars) =>
        UntrustedText.Block(kind, input.Nonce, Truncate(SecretRedactor.Redact(text), maxChars));

    private static string Repository(ReviewRequest request) =>
        UntrustedText.Neutralise(SecretRedactor.Redact($"{request.Owner}/{request.Repo}"));

    private static string Commits(IReadOnlyList<string> messages)
    {
        var builder = new StringBuilder();
        foreach (var message in messages.Take(PromptLimits.Commits))
        {
            builder.Append("- ").Append(Truncate(message.Trim(), PromptLimits.CommitMessageChars).Replace("\n", "\n  ", StringComparison.Ordinal)).Append('\n');
        }

        if (messages.Count > PromptLimits.Commits)
        {
            builder.Append(CultureInfo.InvariantCulture, $"- ({messages.Count - PromptLimits.Commits} more commits not shown)\n");
        }

        return builder.ToString();
    }

    /// <summary>Rule, place and title of each built-in finding; never its body, which quotes part of a secret.</summary>
    private static string Hints(PromptInput input)
    {
        if (input.BuiltInHints.Count == 0)
        {
            return "(none)";
        }

        var builder = new StringBuilder();
        var ordered = input.BuiltInHints.OrderBy(f => f.Severity).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line);
        foreach (var hint in ordered.Take(PromptLimits.Hints))
        {
            builder.Append(CultureInfo.InvariantCulture, $"- {hint.RuleId} at {hint.File}:{hint.Line}: {hint.Title}\n");
        }

        if (input.BuiltInHints.Count > PromptLimits.Hints)
        {
            builder.Append(CultureInfo.InvariantCulture, $"- ({input.BuiltInHints.Count - PromptLimits.Hints} more)\n");
        }

        return Untrusted(input, "built-in-findings", builder.ToString(), int.MaxValue);
    }

    private static string Context(PromptInput input)
    {
        var builder = new StringBuilder();
        foreach (var kind in Enum.GetValues<ContextKind>())
        {
            foreach (var block in input.Context.Blocks.Where(b => b.Kind == kind && !string.IsNullOrWhiteSpace(b.Text)))
            {
                var (heading, tag) = Describe(kind);
                var text = string.IsNullOrWhiteSpace(block.Title) ? block.Text : $"{block.Title}\n\n{block.Text}";
                builder.Append("\n## ").Append(heading).Append("\n\n").Append(Untrusted(input, tag, text, PromptLimits.ContextChars)).Append('\n');
            }
        }

        return builder.ToString();
    }

    private static (string Heading, string Tag) Describe(ContextKind kind) => kind switch
    {
        ContextKind.LinkedIssue => ("Linked issue", "linked-issue"),
        ContextKind.CandidateIssue => ("Open issues this change might resolve (answer in \"resolves\")", "candidate-issues"),
        ContextKind.FileExperts => ("People who know these files", "file-experts"),
        ContextKind.FileHistory => ("History of the changed files", "file-history"),
        ContextKind.RelatedPullRequest => ("Related pull requests", "related-pull-requests"),
        ContextKind.Memory => ("Notes kept for this repository (its rules and conventions)", "memory"),
        ContextKind.Mcp => ("From tools", "mcp"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown context kind."),
    };

    private static string Truncate(string text, int maxChars)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        // Never cut a surrogate pair in half.
        var cut = char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return string.Concat(text.AsSpan(0, cut), "\n[… truncated]");
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{8,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex NoncePattern();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}

/// <summary>Caps on untrusted text, so one enormous description cannot eat the budget of the hunks.</summary>
internal static class PromptLimits
{
    public const int TitleChars = 300;
    public const int DescriptionChars = 12_000;
    public const int Commits = 100;
    public const int CommitMessageChars = 2_000;
    public const int CommitChars = 12_000;
    public const int Hints = 50;
    public const int ContextChars = 8_000;
    public const int AnswerChars = 40_000;
    public const int ParseErrorChars = 500;
}

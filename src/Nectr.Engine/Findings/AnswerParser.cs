namespace Nectr.Engine.Findings;

/// <summary>
/// The parsed answer, or a short message saying what was wrong, phrased so it can be sent back to the model once.
/// <see cref="DroppedFindings"/> counts findings left out because they lacked a file, a line, or any text.
/// </summary>
public sealed record AnswerParseResult(ModelAnswer? Answer, string? Error)
{
    public int DroppedFindings { get; init; }
}

/// <summary>
/// Reads a model's answer (see <see cref="AnswerSchema"/>) from whatever the model wrote around it: fences, prose,
/// comments, sloppy JSON. It only ever reads JSON objects, never findings out of prose, and it never throws.
/// </summary>
public static class AnswerParser
{
    /// <summary>Longer answers are not plausible model output; reading stops there (and reports a cut-off answer).</summary>
    private const int MaxChars = 1_000_000;

    /// <summary>Candidate objects tried before giving up, so text full of braces stays cheap to reject.</summary>
    private const int MaxCandidates = 200;

    /// <summary>A failed object that got this far was meant as JSON, not a brace in prose.</summary>
    private const int SubstantialProgress = 24;

    internal const string Empty = "The answer was empty. Reply with only the JSON object described in the instructions.";

    internal const string CutOff = "The answer was cut off before the JSON object was complete. Reply again with the complete JSON object only; keep findings fewer and shorter.";

    internal const string NoObject = "The answer contains no JSON object with \"summary\" and \"findings\". Reply with only the JSON object described in the instructions.";

    public static AnswerParseResult Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new AnswerParseResult(null, Empty);
        }

        if (text.Length > MaxChars)
        {
            text = text[..MaxChars];
        }

        // The normal case under structured output: the whole answer is one valid JSON object.
        if (StrictAnswerJson.TryRead(text) is { } strict && AnswerMapping.LooksLikeAnswer(strict))
        {
            return new AnswerParseResult(AnswerMapping.ToAnswer(strict, out var strictDropped), null) { DroppedFindings = strictDropped };
        }

        return ParseLeniently(text);
    }

    /// <summary>The forgiving reader alone: every object candidate in the text, in order, however sloppy.</summary>
    internal static AnswerParseResult ParseLeniently(string text)
    {

        // The first object that got somewhere is the answer that failed; braces in prose fail within a few characters.
        LenientParse? failure = null;
        var failureProgress = -1;
        var from = 0;
        for (var attempt = 0; attempt < MaxCandidates; attempt++)
        {
            var start = text.IndexOf('{', from);
            if (start < 0)
            {
                break;
            }

            // Prose may hold other braces or small example objects; the answer is the object with its keys.
            var read = LenientJson.Parse(text, start);
            if (read.Value is { } obj)
            {
                if (AnswerMapping.LooksLikeAnswer(obj))
                {
                    var answer = AnswerMapping.ToAnswer(obj, out var dropped);
                    return new AnswerParseResult(answer, null) { DroppedFindings = dropped };
                }

                from = read.End;
                continue;
            }

            var progress = read.End - start;
            if (failureProgress < SubstantialProgress && progress > failureProgress)
            {
                failure = read;
                failureProgress = progress;
            }

            from = start + 1;
        }

        return failure switch
        {
            null => new AnswerParseResult(null, NoObject),
            { Truncated: true } => new AnswerParseResult(null, CutOff),
            _ => new AnswerParseResult(null, $"The answer is not valid JSON: {failure.Error} (at character {failure.End}). Reply with only the JSON object described in the instructions."),
        };
    }
}

namespace Nectr.Engine.Review;

/// <summary>
/// GitHub refuses a review body over 65,536 characters, and a refused review is a lost review. Text is cut at a
/// line end (never inside an escape or a neutralised mention) and an open code fence is closed, so what follows
/// the cut still renders as Nectr wrote it.
/// </summary>
public static class BodyLimit
{
    /// <summary>What Nectr allows itself, a little under GitHub's limit.</summary>
    public const int MaxBody = 65_000;

    public const string CutNote = "… (the rest did not fit in one GitHub review; Nectr keeps every finding with the review record)";

    /// <summary><paramref name="text"/> cut to at most <paramref name="max"/> characters, with the cut note when it was cut.</summary>
    public static string Truncate(string text, int max) => Truncate(text, max, CutNote);

    /// <summary><paramref name="text"/> cut to at most <paramref name="max"/> characters, ending with <paramref name="note"/> when it was cut.</summary>
    public static string Truncate(string text, int max, string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }

        var room = Math.Max(0, max - note.Length - 8);
        var end = text.LastIndexOf('\n', Math.Max(0, room - 1));
        var kept = end <= 0 ? "" : text[..end];
        var fences = kept.Split('\n').Count(line => line.TrimStart().StartsWith("```", StringComparison.Ordinal) || line.TrimStart().StartsWith("~~~", StringComparison.Ordinal));
        return kept + (fences % 2 == 1 ? "\n```" : "") + "\n\n" + note + "\n\n";
    }
}

namespace Nectr.Engine;

/// <summary>What counts as text where people and agents type it: tabs and line breaks are text, other control characters are not.</summary>
public static class PlainText
{
    /// <summary>True when <paramref name="text"/> holds a control character other than a tab, CR or LF (a NUL, an escape).</summary>
    public static bool HasControlCharacter(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Text;
using Nectr.Engine.Checks.Secrets;

namespace Nectr.Engine.Prompts;

/// <summary>
/// Replaces every credential the gitleaks rules recognise with <c>[REDACTED:rule-id]</c>. Every text that goes into
/// a prompt passes through it (DESIGN §8: no secret ever reaches the LLM), whether or not the built-in secret check
/// reported it: that check reads added lines only, a prompt also carries context lines, PR text and context blocks.
/// </summary>
public static class SecretRedactor
{
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spans = SecretCheck.Default.FindSecrets(text);
        if (spans.Count == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var position = 0;
        foreach (var span in spans)
        {
            builder.Append(text, position, span.Start - position);
            AppendMarker(builder, span.RuleId);
            position = span.End;
        }

        return builder.Append(text, position, text.Length - position).ToString();
    }

    internal static string Marker(string ruleId) => $"[REDACTED:{ruleId}]";

    internal static void AppendMarker(StringBuilder builder, string ruleId) =>
        builder.Append("[REDACTED:").Append(ruleId).Append(']');
}

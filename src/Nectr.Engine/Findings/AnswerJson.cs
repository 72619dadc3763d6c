using System.Text;
using System.Text.Json;

namespace Nectr.Engine.Findings;

/// <summary>Writes a parsed answer back in the contract's JSON shape, e.g. to show specialists' answers to the synthesis step.</summary>
public static class AnswerJson
{
    public static string Write(ModelAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteString("summary", answer.Summary);
            json.WriteStartArray("key_changes");
            foreach (var change in answer.KeyChanges)
            {
                json.WriteStringValue(change);
            }

            json.WriteEndArray();
            json.WriteStartArray("findings");
            foreach (var f in answer.Findings)
            {
                json.WriteStartObject();
                json.WriteString("file", f.File);
                json.WriteNumber("line", f.Line);
                if (f.EndLine is { } end)
                {
                    json.WriteNumber("end_line", end);
                }

                json.WriteString("severity", f.Severity.ToString().ToLowerInvariant());
                json.WriteString("category", f.Category);
                json.WriteString("title", f.Title);
                json.WriteString("body", f.Body);
                if (f.Suggestion is { } suggestion)
                {
                    json.WriteString("suggestion", suggestion);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (answer.Confidence is { } confidence)
            {
                json.WriteNumber("confidence", confidence);
            }

            if (answer.Resolves.Count > 0)
            {
                json.WriteStartArray("resolves");
                foreach (var r in answer.Resolves)
                {
                    json.WriteStartObject();
                    json.WriteNumber("number", r.Number);
                    json.WriteNumber("confidence", r.Confidence);
                    json.WriteString("reason", r.Reason);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

namespace Nectr.Engine.Findings;

/// <summary>
/// The JSON Schema of <see cref="ModelAnswer"/>, for providers that constrain output to a schema. The parser never
/// relies on it: local models ignore schemas, so the same object is also accepted as plain text.
/// </summary>
public static class AnswerSchema
{
    public const string Name = "nectr_review";

    public const string Json = """
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["summary", "key_changes", "findings", "confidence"],
          "properties": {
            "summary": { "type": "string", "description": "What the pull request does and how well, in 2-5 sentences." },
            "key_changes": { "type": "array", "items": { "type": "string" } },
            "findings": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["file", "line", "severity", "category", "title", "body"],
                "properties": {
                  "file": { "type": "string", "description": "Path exactly as in the diff header." },
                  "line": { "type": "integer", "description": "New-file line number, as printed in the numbered hunk." },
                  "end_line": { "type": ["integer", "null"] },
                  "severity": { "type": "string", "enum": ["critical", "high", "medium", "low", "nit"] },
                  "category": { "type": "string" },
                  "title": { "type": "string" },
                  "body": { "type": "string" },
                  "suggestion": { "type": ["string", "null"], "description": "Replacement for exactly lines line..end_line, or null." }
                }
              }
            },
            "confidence": { "type": "integer", "minimum": 1, "maximum": 5 },
            "resolves": {
              "type": "array",
              "description": "Candidate issues listed in the prompt that this change resolves; empty when none are listed or none is resolved.",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["number", "confidence", "reason"],
                "properties": {
                  "number": { "type": "integer", "description": "The candidate issue's number." },
                  "confidence": { "type": "integer", "minimum": 1, "maximum": 5 },
                  "reason": { "type": "string", "description": "One sentence: which part of the change resolves the issue." }
                }
              }
            }
          }
        }
        """;
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Postgres
{
    /// <summary>
    /// The review coverage columns become <c>jsonb</c> with one shape, <c>[{"path": …, "reason": …}]</c>, now that EF maps
    /// them as JSON complex collections. Older versions wrote <c>[[path, reason], …]</c> pairs (and read objects too):
    /// each row is rewritten element by element; anything that is not a JSON array becomes <c>[]</c>, as the old readers
    /// showed it.
    /// </summary>
    public partial class FileNotesAsJson : Migration
    {
        private static readonly string[] Columns = ["SkippedFilesJson", "NotSentToModelJson"];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var column in Columns)
            {
                // text → jsonb needs USING (and no text default: EF always writes the value); the rows were written with a
                // JSON serializer, so the cast holds.
                migrationBuilder.Sql($"""ALTER TABLE reviews ALTER COLUMN "{column}" DROP DEFAULT;""");
                migrationBuilder.Sql($"""
                    ALTER TABLE reviews ALTER COLUMN "{column}" TYPE jsonb
                        USING CASE WHEN btrim("{column}") LIKE '[%' THEN "{column}"::jsonb ELSE '[]'::jsonb END;
                    """);
                migrationBuilder.Sql($"""
                    UPDATE reviews SET "{column}" = '[]'::jsonb WHERE jsonb_typeof("{column}") <> 'array';
                    """);
                migrationBuilder.Sql($"""
                    UPDATE reviews SET "{column}" = (
                        SELECT COALESCE(jsonb_agg(jsonb_build_object(
                            'path', COALESCE(CASE jsonb_typeof(e.value) WHEN 'array' THEN e.value ->> 0 ELSE e.value ->> 'path' END, ''),
                            'reason', COALESCE(CASE jsonb_typeof(e.value) WHEN 'array' THEN e.value ->> 1 ELSE e.value ->> 'reason' END, ''))
                            ORDER BY e.ordinality), '[]'::jsonb)
                        FROM jsonb_array_elements(reviews."{column}") WITH ORDINALITY AS e(value, ordinality)
                        WHERE jsonb_typeof(e.value) IN ('array', 'object'));
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back to text; the versions before this one read {path, reason} objects as well.
            foreach (var column in Columns)
            {
                migrationBuilder.Sql($"""ALTER TABLE reviews ALTER COLUMN "{column}" TYPE text USING "{column}"::text;""");
            }
        }
    }
}

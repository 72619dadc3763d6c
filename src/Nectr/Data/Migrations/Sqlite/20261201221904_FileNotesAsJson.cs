using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Sqlite
{
    /// <summary>
    /// The review coverage columns get one shape, <c>[{"path": …, "reason": …}]</c>, now that EF maps them as JSON
    /// complex collections. Older versions wrote <c>[[path, reason], …]</c> pairs (and read objects too): each row is
    /// rewritten element by element; anything that is not a JSON array becomes <c>[]</c>, as the old readers showed it.
    /// </summary>
    public partial class FileNotesAsJson : Migration
    {
        private static readonly string[] Columns = ["SkippedFilesJson", "NotSentToModelJson"];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var column in Columns)
            {
                migrationBuilder.Sql($"""
                    UPDATE reviews SET "{column}" = '[]' WHERE json_valid("{column}") = 0 OR json_type("{column}") <> 'array';
                    """);
                migrationBuilder.Sql($"""
                    UPDATE reviews SET "{column}" = (
                        SELECT json_group_array(json_object(
                            'path', COALESCE(CAST(CASE e.type WHEN 'array' THEN json_extract(e.value, '$[0]') ELSE json_extract(e.value, '$.path') END AS TEXT), ''),
                            'reason', COALESCE(CAST(CASE e.type WHEN 'array' THEN json_extract(e.value, '$[1]') ELSE json_extract(e.value, '$.reason') END AS TEXT), '')))
                        FROM json_each(reviews."{column}") AS e
                        WHERE e.type IN ('array', 'object'));
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to undo: the versions before this one read {path, reason} objects as well.
        }
    }
}

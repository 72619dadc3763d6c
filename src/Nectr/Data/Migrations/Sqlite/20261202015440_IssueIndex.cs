using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IssueIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "issues",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryFullName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Body = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Labels = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    AuthorLogin = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    UpdatedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_issues", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_issues_RepositoryFullName_Number",
                table: "issues",
                columns: new[] { "RepositoryFullName", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_issues_RepositoryFullName_State_UpdatedAtMs",
                table: "issues",
                columns: new[] { "RepositoryFullName", "State", "UpdatedAtMs" });

            migrationBuilder.CreateIndex(
                name: "IX_issues_RepositoryFullName_UpdatedAtMs",
                table: "issues",
                columns: new[] { "RepositoryFullName", "UpdatedAtMs" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "issues");
        }
    }
}

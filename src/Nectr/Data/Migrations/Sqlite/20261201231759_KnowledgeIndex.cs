using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class KnowledgeIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "pull_requests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryFullName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    AuthorLogin = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AuthorIsBot = table.Column<bool>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    MergedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    HeadSha = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    LastVerdict = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    UpdatedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pull_requests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "pull_request_files",
                columns: table => new
                {
                    PullRequestId = table.Column<long>(type: "INTEGER", nullable: false),
                    Path = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    RepositoryFullName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pull_request_files", x => new { x.PullRequestId, x.Path });
                    table.ForeignKey(
                        name: "FK_pull_request_files_pull_requests_PullRequestId",
                        column: x => x.PullRequestId,
                        principalTable: "pull_requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_pull_request_files_RepositoryFullName_Path_PullRequestId",
                table: "pull_request_files",
                columns: new[] { "RepositoryFullName", "Path", "PullRequestId" });

            migrationBuilder.CreateIndex(
                name: "IX_pull_requests_RepositoryFullName_Number",
                table: "pull_requests",
                columns: new[] { "RepositoryFullName", "Number" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pull_request_files");

            migrationBuilder.DropTable(
                name: "pull_requests");
        }
    }
}

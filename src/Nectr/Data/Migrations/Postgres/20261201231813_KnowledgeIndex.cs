using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Nectr.Data.Migrations.Postgres
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RepositoryFullName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Title = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    AuthorLogin = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    AuthorIsBot = table.Column<bool>(type: "boolean", nullable: false),
                    State = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    MergedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    HeadSha = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LastVerdict = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    UpdatedAtMs = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pull_requests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "pull_request_files",
                columns: table => new
                {
                    PullRequestId = table.Column<long>(type: "bigint", nullable: false),
                    Path = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    RepositoryFullName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
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

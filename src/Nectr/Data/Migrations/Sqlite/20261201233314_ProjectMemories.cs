using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ProjectMemories : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "memories",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryFullName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RepositoryGitHubId = table.Column<long>(type: "INTEGER", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Content = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Developer = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SourcePullNumber = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedByUserId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memories", x => x.Id);
                    table.ForeignKey(
                        name: "FK_memories_users_CreatedByUserId",
                        column: x => x.CreatedByUserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "IX_memories_CreatedByUserId",
                table: "memories",
                column: "CreatedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_memories_RepositoryFullName_Type_Developer",
                table: "memories",
                columns: new[] { "RepositoryFullName", "Type", "Developer" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "memories");
        }
    }
}

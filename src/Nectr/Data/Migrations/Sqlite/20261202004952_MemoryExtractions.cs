using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MemoryExtractions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "memories",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "user");

            migrationBuilder.CreateTable(
                name: "memory_extractions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    JobId = table.Column<long>(type: "INTEGER", nullable: false),
                    RepositoryFullName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PullNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Proposed = table.Column<int>(type: "INTEGER", nullable: false),
                    Dropped = table.Column<int>(type: "INTEGER", nullable: false),
                    Stored = table.Column<int>(type: "INTEGER", nullable: false),
                    Updated = table.Column<int>(type: "INTEGER", nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    InputTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    OutputTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CostUsd = table.Column<double>(type: "REAL", nullable: true),
                    DurationMs = table.Column<long>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_extractions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_memories_RepositoryFullName_UpdatedAt",
                table: "memories",
                columns: new[] { "RepositoryFullName", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_extractions_JobId",
                table: "memory_extractions",
                column: "JobId");

            migrationBuilder.CreateIndex(
                name: "IX_memory_extractions_RepositoryFullName_CreatedAt",
                table: "memory_extractions",
                columns: new[] { "RepositoryFullName", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "memory_extractions");

            migrationBuilder.DropIndex(
                name: "IX_memories_RepositoryFullName_UpdatedAt",
                table: "memories");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "memories");
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Nectr.Data.Migrations.Postgres
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
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "user");

            migrationBuilder.CreateTable(
                name: "memory_extractions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<long>(type: "bigint", nullable: false),
                    RepositoryFullName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PullNumber = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Proposed = table.Column<int>(type: "integer", nullable: false),
                    Dropped = table.Column<int>(type: "integer", nullable: false),
                    Stored = table.Column<int>(type: "integer", nullable: false),
                    Updated = table.Column<int>(type: "integer", nullable: false),
                    Model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    InputTokens = table.Column<long>(type: "bigint", nullable: false),
                    OutputTokens = table.Column<long>(type: "bigint", nullable: false),
                    CostUsd = table.Column<double>(type: "double precision", nullable: true),
                    DurationMs = table.Column<long>(type: "bigint", nullable: false),
                    Error = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReviewVerdictAndCost : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "CostUsd",
                table: "reviews",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "InputTokens",
                table: "reviews",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "LlmCalls",
                table: "reviews",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Model",
                table: "reviews",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "NotSentToModelJson",
                table: "reviews",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "OutputTokens",
                table: "reviews",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Verdict",
                table: "reviews",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "VerdictReason",
                table: "reviews",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Fingerprint",
                table: "findings",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Suggestion",
                table: "findings",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_findings_Fingerprint",
                table: "findings",
                column: "Fingerprint");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_findings_Fingerprint",
                table: "findings");

            migrationBuilder.DropColumn(
                name: "CostUsd",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "InputTokens",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "LlmCalls",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "Model",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "NotSentToModelJson",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "OutputTokens",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "Verdict",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "VerdictReason",
                table: "reviews");

            migrationBuilder.DropColumn(
                name: "Fingerprint",
                table: "findings");

            migrationBuilder.DropColumn(
                name: "Suggestion",
                table: "findings");
        }
    }
}

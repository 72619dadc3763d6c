using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Nectr.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LivingPullRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_review_jobs_RepositoryFullName_PullNumber_HeadSha",
                table: "review_jobs");

            migrationBuilder.AddColumn<long>(
                name: "CheckRunId",
                table: "review_jobs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CommandJson",
                table: "review_jobs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Full",
                table: "review_jobs",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Kind",
                table: "review_jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "RequestedBy",
                table: "review_jobs",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Rerun",
                table: "review_jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "InstallationId",
                table: "repositories",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SettingsOverridesJson",
                table: "repositories",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "github_app_installations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    InstallationId = table.Column<long>(type: "bigint", nullable: false),
                    AccountLogin = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    AccountType = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    RepositorySelection = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    SuspendedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DeletedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_github_app_installations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "github_apps",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AppId = table.Column<long>(type: "bigint", nullable: false),
                    Slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    HtmlUrl = table.Column<string>(type: "text", nullable: true),
                    ClientId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ClientSecretProtected = table.Column<string>(type: "text", nullable: true),
                    PrivateKeyProtected = table.Column<string>(type: "text", nullable: false),
                    WebhookSecretProtected = table.Column<string>(type: "text", nullable: true),
                    CreatedByUserId = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_github_apps", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "pull_request_findings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RepositoryFullName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RuleId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    File = table.Column<string>(type: "text", nullable: false),
                    Line = table.Column<int>(type: "integer", nullable: false),
                    EndLine = table.Column<int>(type: "integer", nullable: true),
                    Severity = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Title = table.Column<string>(type: "text", nullable: false),
                    Body = table.Column<string>(type: "text", nullable: false),
                    Suggestion = table.Column<string>(type: "text", nullable: true),
                    State = table.Column<int>(type: "integer", nullable: false),
                    Inline = table.Column<bool>(type: "boolean", nullable: false),
                    FirstSeenSha = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LastSeenSha = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ResolvedSha = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ReviewCommentId = table.Column<long>(type: "bigint", nullable: true),
                    ThreadNodeId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ThreadResolved = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pull_request_findings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "pull_request_states",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RepositoryFullName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    LastReviewedSha = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    LastReviewedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    SummaryCommentId = table.Column<long>(type: "bigint", nullable: true),
                    Paused = table.Column<bool>(type: "boolean", nullable: false),
                    PausedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    PausedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    BlockingReviewId = table.Column<long>(type: "bigint", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pull_request_states", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_review_jobs_RepositoryFullName_PullNumber_HeadSha_Rerun",
                table: "review_jobs",
                columns: new[] { "RepositoryFullName", "PullNumber", "HeadSha", "Rerun" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_repositories_InstallationId",
                table: "repositories",
                column: "InstallationId");

            migrationBuilder.CreateIndex(
                name: "IX_github_app_installations_InstallationId",
                table: "github_app_installations",
                column: "InstallationId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_github_apps_AppId",
                table: "github_apps",
                column: "AppId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_pull_request_findings_RepositoryFullName_Number_Fingerprint",
                table: "pull_request_findings",
                columns: new[] { "RepositoryFullName", "Number", "Fingerprint" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_pull_request_states_RepositoryFullName_Number",
                table: "pull_request_states",
                columns: new[] { "RepositoryFullName", "Number" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "github_app_installations");

            migrationBuilder.DropTable(
                name: "github_apps");

            migrationBuilder.DropTable(
                name: "pull_request_findings");

            migrationBuilder.DropTable(
                name: "pull_request_states");

            migrationBuilder.DropIndex(
                name: "IX_review_jobs_RepositoryFullName_PullNumber_HeadSha_Rerun",
                table: "review_jobs");

            migrationBuilder.DropIndex(
                name: "IX_repositories_InstallationId",
                table: "repositories");

            migrationBuilder.DropColumn(
                name: "CheckRunId",
                table: "review_jobs");

            migrationBuilder.DropColumn(
                name: "CommandJson",
                table: "review_jobs");

            migrationBuilder.DropColumn(
                name: "Full",
                table: "review_jobs");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "review_jobs");

            migrationBuilder.DropColumn(
                name: "RequestedBy",
                table: "review_jobs");

            migrationBuilder.DropColumn(
                name: "Rerun",
                table: "review_jobs");

            migrationBuilder.DropColumn(
                name: "InstallationId",
                table: "repositories");

            migrationBuilder.DropColumn(
                name: "SettingsOverridesJson",
                table: "repositories");

            migrationBuilder.CreateIndex(
                name: "IX_review_jobs_RepositoryFullName_PullNumber_HeadSha",
                table: "review_jobs",
                columns: new[] { "RepositoryFullName", "PullNumber", "HeadSha" },
                unique: true);
        }
    }
}

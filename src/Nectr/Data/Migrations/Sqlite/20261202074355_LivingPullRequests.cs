using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CommandJson",
                table: "review_jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Full",
                table: "review_jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Kind",
                table: "review_jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "RequestedBy",
                table: "review_jobs",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Rerun",
                table: "review_jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "InstallationId",
                table: "repositories",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SettingsOverridesJson",
                table: "repositories",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "github_app_installations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    InstallationId = table.Column<long>(type: "INTEGER", nullable: false),
                    AccountLogin = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AccountType = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    RepositorySelection = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    SuspendedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DeletedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_github_app_installations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "github_apps",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AppId = table.Column<long>(type: "INTEGER", nullable: false),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    HtmlUrl = table.Column<string>(type: "TEXT", nullable: true),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ClientSecretProtected = table.Column<string>(type: "TEXT", nullable: true),
                    PrivateKeyProtected = table.Column<string>(type: "TEXT", nullable: false),
                    WebhookSecretProtected = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedByUserId = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_github_apps", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "pull_request_findings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryFullName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Fingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RuleId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    File = table.Column<string>(type: "TEXT", nullable: false),
                    Line = table.Column<int>(type: "INTEGER", nullable: false),
                    EndLine = table.Column<int>(type: "INTEGER", nullable: true),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Title = table.Column<string>(type: "TEXT", nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    Suggestion = table.Column<string>(type: "TEXT", nullable: true),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    Inline = table.Column<bool>(type: "INTEGER", nullable: false),
                    FirstSeenSha = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    LastSeenSha = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ResolvedSha = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ReviewCommentId = table.Column<long>(type: "INTEGER", nullable: true),
                    ThreadNodeId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ThreadResolved = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pull_request_findings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "pull_request_states",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryFullName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    LastReviewedSha = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    LastReviewedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    SummaryCommentId = table.Column<long>(type: "INTEGER", nullable: true),
                    Paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    PausedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    PausedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    BlockingReviewId = table.Column<long>(type: "INTEGER", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
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

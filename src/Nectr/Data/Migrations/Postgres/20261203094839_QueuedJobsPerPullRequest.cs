using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class QueuedJobsPerPullRequest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_review_jobs_RepositoryFullName_PullNumber_Status",
                table: "review_jobs");

            migrationBuilder.CreateIndex(
                name: "IX_review_jobs_queued_per_pr",
                table: "review_jobs",
                columns: new[] { "RepositoryFullName", "PullNumber" },
                filter: "\"Status\" = 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_review_jobs_queued_per_pr",
                table: "review_jobs");

            migrationBuilder.CreateIndex(
                name: "IX_review_jobs_RepositoryFullName_PullNumber_Status",
                table: "review_jobs",
                columns: new[] { "RepositoryFullName", "PullNumber", "Status" });
        }
    }
}

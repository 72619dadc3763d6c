using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class JobsByPullRequestAndStatus : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_review_jobs_RepositoryFullName_PullNumber_Status",
                table: "review_jobs",
                columns: new[] { "RepositoryFullName", "PullNumber", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_review_jobs_RepositoryFullName_PullNumber_Status",
                table: "review_jobs");
        }
    }
}

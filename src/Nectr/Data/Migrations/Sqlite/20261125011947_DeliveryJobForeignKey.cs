using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DeliveryJobForeignKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddForeignKey(
                name: "FK_deliveries_review_jobs_JobId",
                table: "deliveries",
                column: "JobId",
                principalTable: "review_jobs",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_deliveries_review_jobs_JobId",
                table: "deliveries");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nectr.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReviewsNewestFirst : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_reviews_CreatedAt_Id",
                table: "reviews",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_reviews_RepositoryFullName_CreatedAt",
                table: "reviews",
                columns: new[] { "RepositoryFullName", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_reviews_CreatedAt_Id",
                table: "reviews");

            migrationBuilder.DropIndex(
                name: "IX_reviews_RepositoryFullName_CreatedAt",
                table: "reviews");
        }
    }
}

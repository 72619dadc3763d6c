using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Nectr.Data;

// Used only by `dotnet ef migrations add`; see docs/DEVELOPING.md. The connection strings are never opened.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteNectrDb>
{
    public SqliteNectrDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteNectrDb>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresNectrDb>
{
    public PostgresNectrDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresNectrDb>().UseNpgsql("Host=localhost;Database=nectr_design").Options);
}

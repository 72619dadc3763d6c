using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Nectr.Data;

/// <summary>
/// New rows written in the caller's transaction without the change tracker: the columns, their names and the values'
/// conversions (enums, dates; each parameter made by the column's type mapping) come from the EF model, so the rows
/// are exactly what <c>SaveChanges</c> would have written, and a column added to the model later is written here too.
/// Used by webhook intake, whose batches are the hot write path (issue #13): on PostgreSQL as one multi-row statement
/// in the batch's write command (<see cref="AppendInsert"/>), on SQLite one row at a time (<see cref="InsertEachAsync"/>).
/// </summary>
internal static class EntityRows
{
    /// <summary>PostgreSQL allows 65,535 parameters per statement; intake's batches stay well below.</summary>
    private const int MaxParameters = 30_000;

    /// <summary>
    /// SQLite: inserts <paramref name="rows"/> with <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c>, one row per
    /// execution of a single prepared statement (SQLite finds each named parameter by a linear search of the
    /// statement's names, so binding a 64-row statement's 800 parameters cost more than executing 64 small ones). A row
    /// whose unique key (<paramref name="conflictColumns"/>) already exists is skipped; <paramref name="returning"/> (SQL
    /// naming columns) comes back for each row written, read by <paramref name="read"/>, so the caller can tell which
    /// were. Plain ADO.NET on the context's connection: through EF's <c>SqlQueryRaw</c> every batch size compiled a
    /// query of its own (dynamic methods, then their finalizers), a fifth of intake's CPU.
    /// </summary>
    public static async Task<List<TKey>> InsertEachAsync<T, TKey>(DbContext db, IReadOnlyList<T> rows, bool withKey, string conflictColumns, string returning,
        Func<DbDataReader, TKey> read, CancellationToken cancellationToken)
        where T : class
    {
        var table = TableOf<T>.Get(db.Model, withKey);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            if (db.Database.GetCommandTimeout() is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            // One command text for every row: the statement SQLite prepared is kept.
            command.CommandText = Sql(table, conflictColumns, returning);
            var written = new List<TKey>(rows.Count);
            foreach (var row in rows)
            {
                command.Parameters.Clear();
                foreach (var (mapping, getter, nullable) in table.Columns)
                {
                    // Each parameter is made by the column's own type mapping (conversions included), exactly as SaveChanges makes it.
                    var name = "@p" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
                    command.Parameters.Add(mapping.CreateParameter(command, name, getter(row), nullable));
                }

                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    written.Add(read(reader));
                }
            }

            return written;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Appends one plain multi-row <c>INSERT</c> of <paramref name="rows"/> (keys included when <paramref name="withKey"/>)
    /// to a PostgreSQL script: a row whose unique key exists fails the statement, and with it the transaction.
    /// </summary>
    public static void AppendInsert<T>(SqlScript script, DbContext db, IReadOnlyList<T> rows, bool withKey)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var table = TableOf<T>.Get(db.Model, withKey);
        if (rows.Count * table.Columns.Count > MaxParameters)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows.Count, "Too many rows for one statement.");
        }

        script.Sql(table.Insert);
        for (var r = 0; r < rows.Count; r++)
        {
            script.Sql(r == 0 ? "(" : ", (");
            for (var c = 0; c < table.Columns.Count; c++)
            {
                var (mapping, getter, nullable) = table.Columns[c];
                script.Sql(c == 0 ? "" : ", ").Value(mapping, getter(rows[r]), nullable);
            }

            script.Sql(")");
        }

        script.Sql(";\n");
    }

    private static string Sql(Table table, string conflictColumns, string returning) =>
        new StringBuilder(table.Insert).Append('(')
            .AppendJoin(", ", Enumerable.Range(0, table.Columns.Count).Select(c => "@p" + c.ToString(CultureInfo.InvariantCulture)))
            .Append(") ON CONFLICT (").Append(conflictColumns).Append(") DO NOTHING RETURNING ").Append(returning).ToString();

    /// <summary>What a table's insert needs from the EF model, worked out once per model (one per provider) and entity type.</summary>
    private sealed record Table(string Insert, IReadOnlyList<(RelationalTypeMapping Mapping, Func<object, object?> Get, bool Nullable)> Columns);

    private static class TableOf<T>
    {
        private static readonly ConditionalWeakTable<IModel, Table> Tables = [];
        private static readonly ConditionalWeakTable<IModel, Table> TablesWithKey = [];

        /// <summary><paramref name="withKey"/>: the caller assigned the generated key (intake's jobs take ids it reserved).</summary>
        public static Table Get(IModel model, bool withKey) =>
            withKey ? TablesWithKey.GetValue(model, m => Build(m, true)) : Tables.GetValue(model, m => Build(m, false));

        private static Table Build(IModel model, bool withKey)
        {
            var entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
            var name = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(name, entity.GetSchema());
            // The generated key is the database's to assign unless the caller reserved it; every other mapped property is a column.
            var properties = entity.GetProperties().Where(p => (withKey || p.ValueGenerated != ValueGenerated.OnAdd) && p.PropertyInfo is not null).ToList();
            var insert = new StringBuilder().Append("INSERT INTO \"").Append(name).Append("\" (")
                .AppendJoin(", ", properties.Select(p => $"\"{p.GetColumnName(store)}\"")).Append(") VALUES ").ToString();
            return new Table(insert, [.. properties.Select(p =>
            {
                var getter = p.GetGetter();
                return (p.GetRelationalTypeMapping(), (Func<object, object?>)(row => getter.GetClrValueUsingContainingEntity(row)), p.IsNullable);
            })]);
        }
    }
}

using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Nectr.Data;

/// <summary>
/// New rows written with <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c> (many rows per statement on PostgreSQL, one on
/// SQLite), in the caller's transaction, without the change tracker: the columns, their names and the values'
/// conversions (enums, dates; each parameter made by the column's type mapping) come from the EF model, so the rows are exactly what <c>SaveChanges</c> would have written, and a column added to the
/// model later is written here too. Used by webhook intake, whose batches are the hot write path (issue #13).
/// </summary>
internal static class EntityRows
{
    /// <summary>PostgreSQL allows 65,535 parameters per statement: chunks stay well below.</summary>
    private const int MaxParameters = 30_000;

    /// <summary>
    /// Inserts <paramref name="rows"/>; a row whose unique key (<paramref name="conflictColumns"/>) already exists is
    /// skipped. <paramref name="returning"/> (SQL naming columns) comes back for each row written, in no particular
    /// order, each read by <paramref name="read"/>, so the caller can tell which were. The command is plain ADO.NET on
    /// the context's connection and transaction: through EF's <c>SqlQueryRaw</c> every batch size compiled a query of
    /// its own (dynamic methods, then their finalizers), a fifth of intake's CPU.
    /// </summary>
    /// <remarks>
    /// PostgreSQL gets one multi-row statement per chunk: one round trip. SQLite, in process, gets one row per
    /// execution of a single prepared statement: it finds each named parameter by a linear search of the statement's
    /// names, so binding a 64-row statement's 800 parameters cost more than executing 64 small ones.
    /// </remarks>
    public static async Task<List<TKey>> InsertAsync<T, TKey>(DbContext db, IReadOnlyList<T> rows, string conflictColumns, string returning,
        Func<DbDataReader, TKey> read, CancellationToken cancellationToken, bool withKey = false)
        where T : class
    {
        var table = TableOf<T>.Get(db.Model, withKey);
        var perStatement = db.Database.IsSqlite() ? 1 : Math.Max(1, MaxParameters / table.Columns.Count);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            if (db.Database.GetCommandTimeout() is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            var written = new List<TKey>(rows.Count);
            var statementRows = 0;
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                if (count != statementRows)
                {
                    // Set only when the row count changes: the same command text keeps the statement SQLite prepared.
                    command.CommandText = Sql(table, count, conflictColumns, returning);
                    statementRows = count;
                }

                command.Parameters.Clear();
                for (var r = 0; r < count; r++)
                {
                    foreach (var (mapping, getter, nullable) in table.Columns)
                    {
                        // Each parameter is made by the column's own type mapping (conversions included), exactly as SaveChanges makes it.
                        var name = "@p" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
                        command.Parameters.Add(mapping.CreateParameter(command, name, getter(rows[start + r]), nullable));
                    }
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

    private static string Sql(Table table, int rows, string conflictColumns, string returning)
    {
        var sql = new StringBuilder(table.Insert.Length + (rows * table.Columns.Count * 8) + 128).Append(table.Insert);
        var parameter = 0;
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < table.Columns.Count; c++)
            {
                sql.Append(c == 0 ? "@p" : ", @p").Append(parameter++);
            }

            sql.Append(')');
        }

        return sql.Append(" ON CONFLICT (").Append(conflictColumns).Append(") DO NOTHING RETURNING ").Append(returning).ToString();
    }

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

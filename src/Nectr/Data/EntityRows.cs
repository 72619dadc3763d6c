using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Nectr.Data;

/// <summary>
/// New rows written with one multi-row <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c> per chunk, in the caller's
/// transaction, without the change tracker: the columns, their names and the values' conversions (enums, dates; each parameter made by the column's type mapping) come
/// from the EF model, so the rows are exactly what <c>SaveChanges</c> would have written, and a column added to the
/// model later is written here too. Used by webhook intake, whose batches are the hot write path (issue #13).
/// </summary>
internal static class EntityRows
{
    /// <summary>SQLite allows 32,766 parameters per statement and PostgreSQL 65,535: chunks stay well below both.</summary>
    private const int MaxParameters = 30_000;

    /// <summary>
    /// Inserts <paramref name="rows"/>; a row whose unique key (<paramref name="conflictColumns"/>) already exists is
    /// skipped. <paramref name="returning"/> (SQL naming the columns of <typeparamref name="TKey"/>, or <c>… AS "Value"</c>
    /// for a scalar) comes back for each row written, in no particular order, so the caller can tell which were.
    /// </summary>
    public static async Task<List<TKey>> InsertAsync<T, TKey>(DbContext db, IReadOnlyList<T> rows, string conflictColumns, string returning, CancellationToken cancellationToken)
        where T : class
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        // The generated key is the database's to assign; every other mapped property is a column.
        var columns = entity.GetProperties().Where(p => p.ValueGenerated != ValueGenerated.OnAdd && p.PropertyInfo is not null).ToList();
        // Only a factory of parameters: each one is made by the column's own type mapping, exactly as SaveChanges makes it.
        using var factory = db.Database.GetDbConnection().CreateCommand();
        var written = new List<TKey>(rows.Count);
        var perChunk = Math.Max(1, MaxParameters / columns.Count);
        for (var start = 0; start < rows.Count; start += perChunk)
        {
            var chunk = rows.Skip(start).Take(perChunk).ToList();
            var sql = new StringBuilder().Append("INSERT INTO \"").Append(table).Append("\" (")
                .AppendJoin(", ", columns.Select(c => $"\"{c.GetColumnName(store)}\"")).Append(") VALUES ");
            var parameters = new List<object>(chunk.Count * columns.Count);
            for (var r = 0; r < chunk.Count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = "@p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
                    sql.Append(c == 0 ? "" : ", ").Append(name);
                    var column = columns[c];
                    parameters.Add(column.GetRelationalTypeMapping().CreateParameter(factory, name, column.PropertyInfo!.GetValue(chunk[r]), column.IsNullable));
                }

                sql.Append(')');
            }

            sql.Append(" ON CONFLICT (").Append(conflictColumns).Append(") DO NOTHING RETURNING ").Append(returning);
            written.AddRange(await db.Database.SqlQueryRaw<TKey>(sql.ToString(), parameters.ToArray()).ToListAsync(cancellationToken));
        }

        return written;
    }
}

using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Nectr.Data;

/// <summary>
/// Several SQL statements sent as ONE command on the context's connection and transaction, with their values as
/// parameters. On PostgreSQL a command is one round trip however many statements it holds, and intake's single
/// writer waits out every round trip (issue #13), so it reads in one command and writes in one.
/// </summary>
/// <remarks>
/// Not for many-parameter statements on SQLite: Microsoft.Data.Sqlite binds each parameter of the command to each
/// statement by a linear search of the statement's names (<see cref="EntityRows"/> says how it writes rows there).
/// </remarks>
internal sealed class SqlScript : IAsyncDisposable
{
    private readonly DbContext _db;
    private readonly DbCommand _command;
    private readonly StringBuilder _sql = new();
    private bool _opened;

    public SqlScript(DbContext db)
    {
        _db = db;
        _command = db.Database.GetDbConnection().CreateCommand();
        if (db.Database.GetCommandTimeout() is { } timeout)
        {
            _command.CommandTimeout = timeout;
        }
    }

    public bool IsEmpty => _sql.Length == 0;

    /// <summary>Appends SQL text as it is: never a value (<see cref="Value(object?)"/> is for values).</summary>
    public SqlScript Sql(string text)
    {
        _sql.Append(text);
        return this;
    }

    /// <summary>Appends a parameter holding <paramref name="value"/>, typed by the provider from its CLR type (numbers, text, arrays on PostgreSQL).</summary>
    public SqlScript Value(object? value)
    {
        var parameter = _command.CreateParameter();
        parameter.ParameterName = NextName();
        parameter.Value = value ?? DBNull.Value;
        return Add(parameter);
    }

    /// <summary>Appends a parameter made by a column's own EF type mapping (dates, enums: what <c>SaveChanges</c> would write).</summary>
    public SqlScript Value(RelationalTypeMapping mapping, object? value, bool nullable) =>
        Add(mapping.CreateParameter(_command, NextName(), value, nullable));

    /// <summary>Runs the script in the context's current transaction; the caller reads every result set it asked for.</summary>
    public async Task<DbDataReader> ExecuteReaderAsync(CancellationToken cancellationToken)
    {
        await _db.Database.OpenConnectionAsync(cancellationToken);
        _opened = true;
        _command.Transaction = _db.Database.CurrentTransaction?.GetDbTransaction();
        _command.CommandText = _sql.ToString();
        return await _command.ExecuteReaderAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _command.DisposeAsync();
        if (_opened)
        {
            await _db.Database.CloseConnectionAsync();
        }
    }

    private string NextName() => "@p" + _command.Parameters.Count.ToString(CultureInfo.InvariantCulture);

    private SqlScript Add(DbParameter parameter)
    {
        _command.Parameters.Add(parameter);
        _sql.Append(parameter.ParameterName);
        return this;
    }
}

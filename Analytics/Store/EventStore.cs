using System.Data.Common;
using DuckDB.NET.Data;
using Switchboard.Analytics.Events;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Analytics.Store;

/// <summary>
/// The embedded event store: one DuckDB file (<c>analytics.duckdb</c> in the data folder), one row per event, keyed by
/// the hash of the event id so a redelivered event is dropped. Batches go through the appender into a staging table
/// and then <c>INSERT OR IGNORE</c> into <c>events</c>, in one transaction: a batch is stored whole or not at all.
/// One writer at a time (the <see cref="EventWriter"/>); readers take their own connection.
/// </summary>
public sealed class EventStore : IDisposable
{
    public const string FileName = "analytics.duckdb";

    private const string Columns =
        "key BIGINT, kind VARCHAR NOT NULL, tenant VARCHAR NOT NULL, customer VARCHAR NOT NULL, channel VARCHAR NOT NULL, occurred_at TIMESTAMP NOT NULL, " +
        "intent VARCHAR, flow VARCHAR, step VARCHAR, outcome VARCHAR, from_channel VARCHAR, journey VARCHAR, duration_ms DOUBLE, zero_repeat BOOLEAN";

    private readonly DuckDBConnection _writer;
    private readonly Lock _gate = new();

    public string Path { get; }

    private EventStore(string path, DuckDBConnection writer)
    {
        Path = path;
        _writer = writer;
    }

    /// <summary>Opens (or creates) the store; <paramref name="path"/> null keeps it in memory (benchmarks of the aggregation alone).</summary>
    public static EventStore Open(string? path)
    {
        if (path is not null) Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var connection = new DuckDBConnection(path is null ? "DataSource=:memory:" : $"DataSource={path}");
        connection.Open();
        // One thread: the engine's turns need the cores more than analytics does.
        Execute(connection, "SET threads = 1");
        Execute(connection, $"CREATE TABLE IF NOT EXISTS events ({Columns.Replace("key BIGINT", "key BIGINT PRIMARY KEY")})");
        Execute(connection, $"CREATE TEMP TABLE IF NOT EXISTS staging ({Columns})");
        return new EventStore(path ?? ":memory:", connection);
    }

    /// <summary>Stores the events not stored before; returns how many were new. Events must have passed <see cref="EventCheck"/>.</summary>
    public int Append(IReadOnlyCollection<InteractionEvent> events)
    {
        if (events.Count == 0) return 0;
        lock (_gate)
        {
            using var tx = _writer.BeginTransaction();
            using (var appender = _writer.CreateAppender("staging"))
            {
                var seen = new HashSet<long>(events.Count);
                foreach (var e in events)
                {
                    var key = EventKey.Of(e.Id);
                    if (!seen.Add(key)) continue;
                    appender.CreateRow()
                        .AppendValue(key)
                        .AppendValue(e.Kind.ToWire())
                        .AppendValue(e.Tenant)
                        .AppendValue(e.CustomerId)
                        .AppendValue(e.Channel.ToWire())
                        .AppendValue(e.At.UtcDateTime)
                        .AppendValue(e.Intent)
                        .AppendValue(e.Flow)
                        .AppendValue(e.Step)
                        .AppendValue(e.Outcome)
                        .AppendValue(e.FromChannel?.ToWire())
                        .AppendValue(e.Journey)
                        .AppendValue(e.DurationMs)
                        .AppendValue(e.ZeroRepeat)
                        .EndRow();
                }
            }
            int inserted;
            using (var insert = _writer.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT OR IGNORE INTO events SELECT * FROM staging";
                inserted = insert.ExecuteNonQuery();
            }
            Execute(_writer, "DELETE FROM staging", tx);
            tx.Commit();
            return inserted;
        }
    }

    /// <summary>A connection for queries, on the same database as the writer (DuckDB reads a consistent snapshot).</summary>
    public DuckDBConnection OpenReader()
    {
        // DuckDB.NET shares one database instance among connections to the same file in a process.
        var reader = Path == ":memory:" ? _writer.Duplicate() : new DuckDBConnection(_writer.ConnectionString);
        if (reader.State != System.Data.ConnectionState.Open) reader.Open();
        return reader;
    }

    public long Count()
    {
        using var reader = OpenReader();
        using var cmd = reader.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM events";
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    /// <summary>Writes the write-ahead log into the file (what a restart would otherwise replay).</summary>
    public void Checkpoint()
    {
        lock (_gate) Execute(_writer, "CHECKPOINT");
    }

    public void Dispose()
    {
        lock (_gate) _writer.Dispose();
    }

    private static void Execute(DuckDBConnection connection, string sql, DbTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}

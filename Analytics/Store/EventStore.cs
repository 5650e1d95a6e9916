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
/// The new rows of each batch also go into the <see cref="Summaries"/> in that transaction.
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
        Execute(connection, "CREATE TEMP TABLE IF NOT EXISTS fresh (key BIGINT)");
        EnsureSummaries(connection, rebuild: false);
        return new EventStore(path ?? ":memory:", connection);
    }

    /// <summary>Rebuilds the summaries from every stored event (after events were written around the writer: the benchmark's bulk load).</summary>
    public void RebuildSummaries()
    {
        lock (_gate) EnsureSummaries(_writer, rebuild: true);
    }

    /// <summary>Creates the summary tables, and (re)builds them from the stored events when they are missing or of an older shape.</summary>
    private static void EnsureSummaries(DuckDBConnection connection, bool rebuild)
    {
        using var tx = connection.BeginTransaction();
        Execute(connection, Summaries.Create[0], tx);
        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT max(version) FROM summary_version";
            if (!rebuild && cmd.ExecuteScalar() is int version && version == Summaries.Version) { tx.Commit(); return; }
        }
        foreach (var table in Summaries.Drop) Execute(connection, $"DROP TABLE IF EXISTS {table}", tx);
        foreach (var sql in Summaries.Create) Execute(connection, sql, tx);
        foreach (var sql in Summaries.Add("events")) Execute(connection, sql, tx);
        Execute(connection, $"INSERT INTO summary_version VALUES ({Summaries.Version})", tx);
        tx.Commit();
    }

    /// <summary>Stores the events not stored before; returns how many were new. Events must have passed <see cref="EventCheck"/>.</summary>
    public int Append(IReadOnlyCollection<InteractionEvent> events)
    {
        if (events.Count == 0) return 0;
        lock (_gate)
        {
            using var tx = _writer.BeginTransaction();
            var staged = 0;
            using (var appender = _writer.CreateAppender("staging"))
            {
                var seen = new HashSet<long>(events.Count);
                foreach (var e in events)
                {
                    var key = EventKey.Of(e.Id);
                    if (!seen.Add(key)) continue;
                    staged++;
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
            // RETURNING yields the rows actually inserted: only those go into the summaries.
            var inserted = new List<long>(staged);
            using (var insert = _writer.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT OR IGNORE INTO events SELECT * FROM staging RETURNING key";
                using var keys = insert.ExecuteReader();
                while (keys.Read()) inserted.Add(keys.GetInt64(0));
            }
            if (inserted.Count < staged)
            {
                using (var fresh = _writer.CreateAppender("fresh"))
                    foreach (var key in inserted) fresh.CreateRow().AppendValue(key).EndRow();
                Execute(_writer, "DELETE FROM staging WHERE key NOT IN (SELECT key FROM fresh)", tx);
                Execute(_writer, "DELETE FROM fresh", tx);
            }
            if (inserted.Count > 0)
                foreach (var sql in Summaries.Add("staging")) Execute(_writer, sql, tx);
            Execute(_writer, "DELETE FROM staging", tx);
            tx.Commit();
            return inserted.Count;
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

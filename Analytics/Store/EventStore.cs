using System.Data.Common;
using DuckDB.NET.Data;
using Switchboard.Analytics.Events;
using Switchboard.Analytics.Sketches;
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
        "intent VARCHAR, flow VARCHAR, step VARCHAR, outcome VARCHAR, from_channel VARCHAR, journey VARCHAR, duration_ms DOUBLE, zero_repeat BOOLEAN, batch BIGINT";

    private readonly DuckDBConnection _writer;
    private readonly Lock _gate = new();
    private readonly SketchBook _sketches = new();
    private readonly long[] _phaseTicks = new long[PhaseNames.Length];

    /// <summary>Where the writer's time went, per phase of <see cref="Append"/> (the benchmark's profile).</summary>
    public static readonly string[] PhaseNames = ["stage", "insert", "hourly_counts", "customer_hours", "milestones", "milestone_sample", "journey_steps", "journey_goals", "sketches", "commit"];

    public IReadOnlyList<(string Phase, TimeSpan Time)> Phases() =>
        [.. PhaseNames.Select((name, i) => (name, TimeSpan.FromTicks(Interlocked.Read(ref _phaseTicks[i]) * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency)))];

    private long Lap(int phase, long since)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Add(ref _phaseTicks[phase], now - since);
        return now;
    }

    public string Path { get; }

    /// <summary>The sequence number of the next batch (stored with its events: the sketches know which batches they cover).</summary>
    private long _batch;

    private EventStore(string path, DuckDBConnection writer)
    {
        Path = path;
        _writer = writer;
        using var cmd = writer.CreateCommand();
        cmd.CommandText = "SELECT coalesce(max(batch), 0) + 1 FROM events";
        _batch = Convert.ToInt64(cmd.ExecuteScalar());
    }

    /// <summary>Opens (or creates) the store; <paramref name="path"/> null keeps it in memory (benchmarks of the aggregation alone).</summary>
    public static EventStore Open(string? path)
    {
        if (path is not null) Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var connection = new DuckDBConnection(path is null ? "DataSource=:memory:" : $"DataSource={path}");
        connection.Open();
        // One thread: the engine's turns need the cores more than analytics does.
        Execute(connection, "SET threads = 1");
        // DuckDB checkpoints (rewrites the changed tables and the key index into the file) when its log passes this:
        // at the default 16 MB, a steady ingest paid a checkpoint every ~150,000 events. The log is replayed on open
        // after a crash (256 MB: seconds); a clean stop checkpoints anyway.
        Execute(connection, "SET checkpoint_threshold = '256MB'");
        Execute(connection, $"CREATE TABLE IF NOT EXISTS events ({Columns.Replace("key BIGINT", "key BIGINT PRIMARY KEY")})");
        // Files from before batch numbers: their events count as batch 0.
        Execute(connection, "ALTER TABLE events ADD COLUMN IF NOT EXISTS batch BIGINT DEFAULT 0");
        Execute(connection, $"CREATE TEMP TABLE IF NOT EXISTS staging ({Columns})");
        Execute(connection, "CREATE TEMP TABLE IF NOT EXISTS fresh (key BIGINT)");
        EnsureSummaries(connection, rebuild: false);
        var store = new EventStore(path ?? ":memory:", connection);
        using (var tx = connection.BeginTransaction())
        {
            // A file from before the month sketches gets them from its day sketches (once), before the replay adds to them.
            SketchBook.EnsureMonths(connection, tx);
            store._sketches.Recover(connection, tx);
            tx.Commit();
        }
        return store;
    }

    /// <summary>Rebuilds the summaries from every stored event (after events were written around the writer: the benchmark's bulk load).</summary>
    public void RebuildSummaries()
    {
        lock (_gate)
        {
            _sketches.Reset();
            EnsureSummaries(_writer, rebuild: true);
        }
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
        new SketchBook().Rebuild(connection, tx);
        Execute(connection, $"INSERT INTO summary_version VALUES ({Summaries.Version})", tx);
        tx.Commit();
    }

    /// <summary>Stores the events not stored before; returns how many were new. Events must have passed <see cref="EventCheck"/>.</summary>
    public int Append(IReadOnlyCollection<InteractionEvent> events)
    {
        if (events.Count == 0) return 0;
        lock (_gate)
        {
            RecoverSketches();
            var t = System.Diagnostics.Stopwatch.GetTimestamp();
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
                        .AppendValue(_batch)
                        .EndRow();
                }
            }
            t = Lap(0, t);
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
            t = Lap(1, t);
            if (inserted.Count > 0)
            {
                var summaries = Summaries.Add("staging");
                for (var i = 0; i < summaries.Length; i++)
                {
                    Execute(_writer, summaries[i], tx);
                    t = Lap(2 + i, t);
                }
                // A sketch ignores what it has seen: the whole batch may go in (a redelivered event changes nothing).
                // What it holds in memory is the table's state only once the transaction commits: forget it otherwise.
                try
                {
                    _sketches.Add(events, _writer, tx);
                    if (_sketches.FlushDue) _sketches.Flush(_writer, tx, _batch);
                    t = Lap(8, t);
                    Execute(_writer, "DELETE FROM staging", tx);
                    tx.Commit();
                    _batch++;
                    Lap(9, t);
                }
                catch
                {
                    ForgetSketches();
                    throw;
                }
                return inserted.Count;
            }
            Execute(_writer, "DELETE FROM staging", tx);
            tx.Commit();
            return inserted.Count;
        }
    }

    private bool _recover;

    /// <summary>
    /// After a failed transaction: what the sketches held in memory may not match the table; they are dropped and the
    /// stored events of the batches the table does not cover yet are added again before the next write.
    /// </summary>
    private void ForgetSketches()
    {
        _sketches.Reset();
        _recover = true;
    }

    private void RecoverSketches()
    {
        if (!_recover) return;
        using var tx = _writer.BeginTransaction();
        _sketches.Recover(_writer, tx);
        tx.Commit();
        _recover = false;
    }

    /// <summary>Writes the sketches changed in memory since the last flush (a sketched report calls this first: it reads the table).</summary>
    public void FlushSketches()
    {
        lock (_gate)
        {
            RecoverSketches();
            if (_sketches.Dirty == 0) return;
            using var tx = _writer.BeginTransaction();
            try
            {
                _sketches.Flush(_writer, tx, _batch - 1);
                tx.Commit();
            }
            catch
            {
                ForgetSketches();
                throw;
            }
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
        FlushSketches();
        lock (_gate) Execute(_writer, "CHECKPOINT");
    }

    public void Dispose()
    {
        try
        {
            FlushSketches();
        }
        finally
        {
            lock (_gate) _writer.Dispose();
        }
    }

    private static void Execute(DuckDBConnection connection, string sql, DbTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}

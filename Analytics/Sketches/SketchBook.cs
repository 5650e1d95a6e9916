using System.Data.Common;
using DuckDB.NET.Data;
using Switchboard.Analytics.Events;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Analytics.Sketches;

/// <summary>
/// The writer's side of the distinct-customer sketches (table <c>distinct_sketches</c>): one <see cref="DistinctSketch"/>
/// per tenant, hour, day and month, set and dimension (<see cref="SketchSets"/>). <see cref="Add"/> folds a batch's
/// events into the hour sketches in memory (a live engine keeps touching the current hour); <see cref="Flush"/> merges
/// the changed hours into their day and month (a union of sketches is the sketch of the union) and writes the changed
/// ones, with the last event batch they cover (<c>sketch_state.through</c>), in the caller's transaction: the
/// writer flushes every few seconds, before a sketched report, at a checkpoint and at close. Whatever a crash kept
/// from being flushed is added again on open from the events of later batches (<see cref="Recover"/>). Adding an
/// event twice changes nothing, so neither a redelivery nor a replay needs care.
/// </summary>
public sealed class SketchBook
{
    public const string Table = "distinct_sketches";
    public const string Create =
        "CREATE TABLE IF NOT EXISTS distinct_sketches (tenant VARCHAR, span VARCHAR, start TIMESTAMP, set_name VARCHAR, dim VARCHAR, " +
        "first_at TIMESTAMP, registers BLOB NOT NULL, PRIMARY KEY (tenant, span, start, set_name, dim))";
    public const string CreateState = "CREATE TABLE IF NOT EXISTS sketch_state (through BIGINT NOT NULL)";
    /// <summary>Which roll-up levels the table holds for every stored day (a file from before the month level lacks <c>'m'</c>).</summary>
    public const string CreateLevels = "CREATE TABLE IF NOT EXISTS sketch_levels (level VARCHAR PRIMARY KEY)";
    /// <summary>The spans of <c>distinct_sketches</c>: an hour, a day, a calendar month (UTC), each keyed by its first instant.</summary>
    public const string HourSpan = "h", DaySpan = "d", MonthSpan = "m";
    /// <summary>Sketches kept in memory between batches (16 KB each at most).</summary>
    public const int CacheLimit = 2048;
    /// <summary>The writer flushes the sketches at least this often, and whenever this many are changed.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);
    public const int FlushDirty = 1024;
    private long _lastFlush = System.Diagnostics.Stopwatch.GetTimestamp();
    private int _dirty;

    /// <summary>Sketches changed in memory since the last flush.</summary>
    public int Dirty => _dirty;
    public bool FlushDue => _dirty >= FlushDirty || (_dirty > 0 && System.Diagnostics.Stopwatch.GetElapsedTime(_lastFlush) >= FlushInterval);

    private sealed class Entry(DistinctSketch sketch, DateTime? firstAt)
    {
        public DistinctSketch Sketch = sketch;
        public DateTime? FirstAt = firstAt;
        public bool Dirty;
    }

    private readonly record struct Key(string Tenant, string Span, DateTime Start, string Set, string Dim);

    private readonly Dictionary<Key, Entry> _cache = [];

    /// <summary>Forgets what is in memory (after a failed transaction or a rebuild: the table is the truth).</summary>
    public void Reset()
    {
        _cache.Clear();
        _dirty = 0;
    }

    /// <summary>Adds the events to their sketches in memory (reading the stored ones they extend in <paramref name="tx"/>).</summary>
    public void Add(IEnumerable<InteractionEvent> events, DuckDBConnection db, DbTransaction tx) =>
        Add(events.Select(e => new Row(e.Tenant, e.Kind.ToWire(), e.CustomerId, e.Channel.ToWire(), e.At.UtcDateTime, e.Flow, e.Journey, e.Step)), db, tx);

    /// <summary>An event as the sketches see it (kind and channel by wire name).</summary>
    public readonly record struct Row(string Tenant, string Kind, string Customer, string Channel, DateTime At, string? Flow, string? Journey, string? Step);

    private void Add(IEnumerable<Row> rows, DuckDBConnection db, DbTransaction tx)
    {
        var touched = new List<(Key Key, ulong Hash, DateTime At)>();
        foreach (var e in rows)
        {
            var at = e.At;
            ulong? hashed = null;
            foreach (var (set, dim) in SketchSets.Of(e.Kind, e.Channel, e.Flow, e.Journey, e.Step))
            {
                var hash = hashed ??= DistinctSketch.Hash(e.Customer);
                touched.Add((new Key(e.Tenant, HourSpan, Hour(at), set, dim), hash, at));
            }
        }
        if (touched.Count == 0) return;
        Load([.. touched.Select(t => t.Key).Where(k => !_cache.ContainsKey(k)).Distinct()], db, tx);
        foreach (var (key, hash, at) in touched)
        {
            var entry = _cache[key];
            entry.Sketch.AddHash(hash);
            if (key.Set == SketchSets.JourneyStep && (entry.FirstAt is null || at < entry.FirstAt)) entry.FirstAt = at;
            if (!entry.Dirty) _dirty++;
            entry.Dirty = true;
        }
    }

    /// <summary>Adds the stored events of the batches after <c>sketch_state.through</c> (what a crash kept from a flush) and flushes.</summary>
    public void Recover(DuckDBConnection db, DbTransaction tx)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT coalesce(max(through), 0) FROM sketch_state";
        var through = Convert.ToInt64(cmd.ExecuteScalar());
        cmd.CommandText = "SELECT coalesce(max(batch), 0) FROM events";
        var last = Convert.ToInt64(cmd.ExecuteScalar());
        if (last <= through) return;
        Add(ReadRows(db, tx, "batch > $through", new DuckDBParameter("through", through)), db, tx);
        Flush(db, tx, last);
    }

    /// <summary>Builds every sketch again from the stored events, a day at a time (a file from before the sketches, or a bulk load).</summary>
    public void Rebuild(DuckDBConnection db, DbTransaction tx)
    {
        Reset();
        Execute(db, tx, $"DELETE FROM {Table}");
        Execute(db, tx, "DELETE FROM sketch_state");
        Execute(db, tx, CreateLevels);
        Execute(db, tx, "DELETE FROM sketch_levels");
        Execute(db, tx, $"INSERT INTO sketch_levels VALUES ('{MonthSpan}')");
        using (var max = db.CreateCommand())
        {
            max.Transaction = tx;
            max.CommandText = "SELECT coalesce(max(batch), 0) FROM events";
            Execute(db, tx, $"INSERT INTO sketch_state VALUES ({Convert.ToInt64(max.ExecuteScalar())})");
        }
        using var days = db.CreateCommand();
        days.Transaction = tx;
        days.CommandText = $"SELECT DISTINCT date_trunc('day', occurred_at) AS d FROM events WHERE {SketchSets.Kinds} ORDER BY d";
        var list = new List<DateTime>();
        using (var reader = days.ExecuteReader())
            while (reader.Read()) list.Add(reader.GetDateTime(0));
        foreach (var day in list)
        {
            Add(ReadRows(db, tx, "occurred_at >= $from AND occurred_at < $to", new DuckDBParameter("from", day), new DuckDBParameter("to", day.AddDays(1))), db, tx);
            Write(db, tx);
            Reset();
        }
    }

    private static List<Row> ReadRows(DuckDBConnection db, DbTransaction tx, string where, params DuckDBParameter[] parameters)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT tenant, kind, customer, channel, occurred_at, flow, journey, step FROM events WHERE {SketchSets.Kinds} AND {where}";
        foreach (var p in parameters) cmd.Parameters.Add(p);
        var rows = new List<Row>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetDateTime(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        return rows;
    }

    /// <summary>Writes the changed sketches and that they cover the events of every batch up to <paramref name="through"/>.</summary>
    public void Flush(DuckDBConnection db, DbTransaction tx, long through)
    {
        Write(db, tx);
        Execute(db, tx, "DELETE FROM sketch_state");
        Execute(db, tx, $"INSERT INTO sketch_state VALUES ({through})");
        _lastFlush = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    private static void Execute(DuckDBConnection db, DbTransaction tx, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Loads the stored sketches of the missing keys' tenants, spans and time windows in one query each (new keys start empty).</summary>
    private void Load(List<Key> missing, DuckDBConnection db, DbTransaction tx)
    {
        if (missing.Count == 0) return;
        foreach (var group in missing.GroupBy(k => (k.Tenant, k.Span)))
        {
            using var cmd = db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT span, start, set_name, dim, first_at, registers FROM {Table} WHERE tenant = $tenant AND span = $span AND start >= $from AND start <= $to";
            cmd.Parameters.Add(new DuckDBParameter("tenant", group.Key.Tenant));
            cmd.Parameters.Add(new DuckDBParameter("span", group.Key.Span));
            cmd.Parameters.Add(new DuckDBParameter("from", group.Min(k => k.Start)));
            cmd.Parameters.Add(new DuckDBParameter("to", group.Max(k => k.Start)));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var key = new Key(group.Key.Tenant, reader.GetString(0), reader.GetDateTime(1), reader.GetString(2), reader.GetString(3));
                if (_cache.ContainsKey(key)) continue;
                _cache[key] = new Entry(DistinctSketch.Decode(Bytes(reader, 5)), reader.IsDBNull(4) ? null : reader.GetDateTime(4));
            }
        }
        foreach (var key in missing)
            if (!_cache.ContainsKey(key)) _cache[key] = new Entry(new DistinctSketch(), null);
    }

    /// <summary>
    /// Merges each changed hour sketch into its day and month sketches (loading the stored ones first): the day and
    /// month hold exactly the registers of their hours, as if every event had been added to them too, at one
    /// dictionary look-up per event instead of three.
    /// </summary>
    private void Rollup(DuckDBConnection db, DbTransaction tx)
    {
        var hours = _cache.Where(kv => kv.Value.Dirty && kv.Key.Span == HourSpan).ToList();
        if (hours.Count == 0) return;
        static (Key Day, Key Month) Parents(Key hour) =>
            (hour with { Span = DaySpan, Start = hour.Start.Date }, hour with { Span = MonthSpan, Start = Month(hour.Start) });
        Load([.. hours.SelectMany(kv => { var (d, m) = Parents(kv.Key); return new[] { d, m }; }).Distinct().Where(k => !_cache.ContainsKey(k))], db, tx);
        foreach (var (key, hour) in hours)
        {
            var (day, month) = Parents(key);
            foreach (var parent in new[] { _cache[day], _cache[month] })
            {
                parent.Sketch.Merge(hour.Sketch);
                if (hour.FirstAt is { } first && (parent.FirstAt is null || first < parent.FirstAt)) parent.FirstAt = first;
                parent.Dirty = true;
            }
        }
    }

    /// <summary>
    /// Builds the month sketches of a file written before the month level (from its day sketches, a month at a time),
    /// once: <c>sketch_levels</c> then says the month level is there. Run on open, before <see cref="Recover"/>.
    /// </summary>
    public static void EnsureMonths(DuckDBConnection db, DbTransaction tx)
    {
        Execute(db, tx, CreateLevels);
        var months = new List<(string Tenant, DateTime Month)>();
        using (var cmd = db.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT count(*) FROM sketch_levels WHERE level = '{MonthSpan}'";
            if (Convert.ToInt64(cmd.ExecuteScalar()) > 0) return;
            cmd.CommandText = $"SELECT DISTINCT tenant, date_trunc('month', start) AS m FROM {Table} WHERE span = '{DaySpan}' ORDER BY tenant, m";
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) months.Add((reader.GetString(0), reader.GetDateTime(1)));
        }
        Execute(db, tx, $"DELETE FROM {Table} WHERE span = '{MonthSpan}'");
        var book = new SketchBook();
        foreach (var (tenant, month) in months)
        {
            using (var cmd = db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = $"SELECT set_name, dim, first_at, registers FROM {Table} WHERE tenant = $tenant AND span = '{DaySpan}' AND start >= $from AND start < $to";
                cmd.Parameters.Add(new DuckDBParameter("tenant", tenant));
                cmd.Parameters.Add(new DuckDBParameter("from", month));
                cmd.Parameters.Add(new DuckDBParameter("to", month.AddMonths(1)));
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    var key = new Key(tenant, MonthSpan, month, reader.GetString(0), reader.GetString(1));
                    if (!book._cache.TryGetValue(key, out var entry)) book._cache[key] = entry = new Entry(new DistinctSketch(), null);
                    entry.Sketch.Merge(Bytes(reader, 3));
                    if (!reader.IsDBNull(2) && reader.GetDateTime(2) is var first && (entry.FirstAt is null || first < entry.FirstAt)) entry.FirstAt = first;
                    entry.Dirty = true;
                }
            }
            book.Write(db, tx);
            book.Reset();
        }
        Execute(db, tx, $"INSERT INTO sketch_levels VALUES ('{MonthSpan}')");
    }

    /// <summary>The changed sketches (hours rolled up first) through the appender into a staging table, then one <c>INSERT OR REPLACE</c>.</summary>
    private void Write(DuckDBConnection db, DbTransaction tx)
    {
        Rollup(db, tx);
        Execute(db, tx, $"CREATE TEMP TABLE IF NOT EXISTS sketch_staging AS SELECT * FROM {Table} LIMIT 0");
        using (var appender = db.CreateAppender("sketch_staging"))
            foreach (var (key, entry) in _cache)
            {
                if (!entry.Dirty) continue;
                var row = appender.CreateRow().AppendValue(key.Tenant).AppendValue(key.Span).AppendValue(key.Start).AppendValue(key.Set).AppendValue(key.Dim);
                (entry.FirstAt is { } first ? row.AppendValue(first) : row.AppendNullValue()).AppendValue(entry.Sketch.Encode()).EndRow();
                entry.Dirty = false;
            }
        Execute(db, tx, $"INSERT OR REPLACE INTO {Table} SELECT * FROM sketch_staging");
        Execute(db, tx, "DELETE FROM sketch_staging");
        _dirty = 0;
        if (_cache.Count > CacheLimit)
        {
            // Keep the newest hours and days (where a live engine writes); older ones are read again if ever touched.
            var keep = _cache.OrderByDescending(kv => kv.Key.Start).Take(CacheLimit / 2).ToList();
            _cache.Clear();
            foreach (var (key, entry) in keep) _cache[key] = entry;
        }
    }

    internal static byte[] Bytes(DbDataReader reader, int ordinal)
    {
        var value = reader.GetValue(ordinal);
        return value switch
        {
            byte[] b => b,
            Stream s => ReadAll(s),
            _ => throw new InvalidDataException("A sketch's registers are not a blob."),
        };
    }

    private static byte[] ReadAll(Stream s)
    {
        using var copy = new MemoryStream();
        s.CopyTo(copy);
        return copy.ToArray();
    }

    private static DateTime Hour(DateTime at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Unspecified);

    /// <summary>The first instant of <paramref name="at"/>'s calendar month (UTC).</summary>
    public static DateTime Month(DateTime at) => new(at.Year, at.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
}

/// <summary>Which sets an event's customer belongs to: (set, dimension).</summary>
public static class SketchSets
{
    /// <summary>Customers with a turn: all (dim ''), per channel, per flow.</summary>
    public const string Turn = "turn", TurnChannel = "turn-channel", TurnFlow = "turn-flow";
    /// <summary>Customers handed to a human: all, per channel.</summary>
    public const string Handoff = "handoff", HandoffChannel = "handoff-channel";
    /// <summary>Customers at a journey step: dim = journey/step (step '' when the event has none).</summary>
    public const string JourneyStep = "journey-step";

    /// <summary>The kinds of event that feed a sketch, as a SQL condition on <c>events</c>.</summary>
    public const string Kinds = "kind IN ('turn', 'handoff', 'journey-step')";

    public static IEnumerable<(string Set, string Dim)> Of(string kind, string channel, string? flow, string? journey, string? step)
    {
        switch (kind)
        {
            case "turn":
                yield return (Turn, "");
                yield return (TurnChannel, channel);
                if (flow is not null) yield return (TurnFlow, flow);
                break;
            case "handoff":
                yield return (Handoff, "");
                yield return (HandoffChannel, channel);
                break;
            case "journey-step" when journey is not null:
                yield return (JourneyStep, journey + "/" + (step ?? ""));
                break;
        }
    }
}

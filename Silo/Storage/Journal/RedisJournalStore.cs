using StackExchange.Redis;
using Switchboard.Grains.Journaling;

namespace Switchboard.Silo.Storage.Journal;

/// <summary>
/// The journal on Redis: per stream a list whose first element is the latest snapshot (or the first event) and a
/// version counter, both under one hash tag so a Redis Cluster keeps them in one slot. An append is one script that
/// checks the version (one writer per stream across silos), clears the list for a snapshot, and pushes the record;
/// concurrent appends from many grains share the connection's pipeline. Key names are hashes of stream names; a listed
/// stream (<see cref="JournalListing"/>) also keeps its name in a third key under the same tag, which
/// <see cref="ListStreamsAsync"/> finds with SCAN (never KEYS: SCAN walks the keyspace in small steps without blocking
/// the server, and its cursor survives restarts of the caller).
/// </summary>
/// <param name="scanStep">Keys SCAN looks at per step (its COUNT): small steps keep each one short for the server.</param>
public sealed class RedisJournalStore(IConnectionMultiplexer redis, string prefix, int scanStep = 1000) : IJournalStore
{
    private const string AppendScript = """
        local current = tonumber(redis.call('GET', KEYS[2]) or '0')
        if current ~= tonumber(ARGV[1]) then return -1 - current end
        if ARGV[2] == '2' then redis.call('DEL', KEYS[1]) end
        redis.call('RPUSH', KEYS[1], ARGV[3])
        redis.call('SET', KEYS[2], current + 1)
        if ARGV[4] == '1' then redis.call('SADD', KEYS[3], ARGV[5]) else redis.call('SREM', KEYS[3], ARGV[5]) end
        if ARGV[6] == '1' then redis.call('SET', KEYS[4], ARGV[5], 'NX') end
        return current + 1
        """;

    private const string ReadScript = """
        return { redis.call('GET', KEYS[2]) or '0', redis.call('LRANGE', KEYS[1], 0, -1) }
        """;

    private const string DeleteScript = """
        local current = tonumber(redis.call('GET', KEYS[2]) or '0')
        redis.call('DEL', KEYS[1], KEYS[4])
        redis.call('SREM', KEYS[3], ARGV[1])
        redis.call('SET', KEYS[2], current + 1)
        return current + 1
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<JournalContents> ReadAsync(string stream)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(ReadScript, Keys(stream)))!;
        var version = (long)result[0];
        var items = (RedisResult[])result[1]!;
        ReadOnlyMemory<byte>? snapshot = null;
        var events = new List<ReadOnlyMemory<byte>>(items.Length);
        foreach (var item in items)
        {
            var bytes = (byte[])item!;
            var payload = bytes.AsMemory(1);
            if ((JournalRecordKind)bytes[0] == JournalRecordKind.Snapshot) snapshot = payload;
            else events.Add(payload);
        }
        return new JournalContents(snapshot, events, version);
    }

    public async Task<IReadOnlyList<string>> PendingStreamsAsync() =>
        [.. (await Db.SetMembersAsync(PendingKey)).Select(v => (string)v!)];

    public Task AppendAsync(string stream, long expectedVersion, JournalRecordKind kind, ReadOnlyMemory<byte> payload, bool pending = false)
    {
        if (kind is not (JournalRecordKind.Event or JournalRecordKind.Snapshot)) throw new ArgumentOutOfRangeException(nameof(kind));
        var record = new byte[payload.Length + 1];
        record[0] = (byte)kind;
        payload.CopyTo(record.AsMemory(1));
        // Issued before the first await: one caller's appends reach Redis in the order they were made.
        var listed = JournalListing.IsListed(stream) ? 1 : 0;
        var call = Db.ScriptEvaluateAsync(AppendScript, [.. Keys(stream), PendingKey, NameKey(stream)], [expectedVersion, (int)kind, record, pending ? 1 : 0, stream, listed]);
        return Check(call, stream, expectedVersion);
    }

    public Task DeleteAsync(string stream) => Db.ScriptEvaluateAsync(DeleteScript, [.. Keys(stream), PendingKey, NameKey(stream)], [stream]);

    /// <summary>
    /// SCAN for the name keys (<c>{prefix}/journal/{tag}/name</c>), then MGET their values; the cursor is SCAN's. Redis
    /// returns every key that exists for the whole walk at least once (a key may come twice while the table rehashes).
    /// One Redis server (or a primary): a Redis Cluster would need a SCAN per primary.
    /// </summary>
    public async Task<JournalStreamPage> ListStreamsAsync(string prefix, string? cursor, int limit)
    {
        JournalListing.CheckPrefix(prefix);
        JournalListing.CheckLimit(limit);
        if (cursor is not null && !ulong.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            throw new ArgumentException($"'{cursor}' is not a cursor of this store.", nameof(cursor));
        var next = cursor ?? "0";
        var page = new List<string>();
        do
        {
            var step = (RedisResult[])(await Db.ExecuteAsync("SCAN", next, "MATCH", NamePattern, "COUNT", scanStep))!;
            next = (string)step[0]!;
            var keys = ((RedisResult[])step[1]!).Select(k => (RedisKey)(string)k!).ToArray();
            if (keys.Length == 0) continue;
            foreach (var name in await Db.StringGetAsync(keys))
                if (name.HasValue && ((string)name!).StartsWith(prefix, StringComparison.Ordinal)) page.Add(name!);
        }
        while (next != "0" && page.Count < limit);
        return new JournalStreamPage(page, next == "0" ? null : next);
    }

    private string NamePattern => $"{EscapeGlob(prefix)}/journal/{{*}}/name";

    private static string EscapeGlob(string s) =>
        string.Concat(s.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? "\\" + c : c.ToString()));

    private static async Task Check(Task<RedisResult> call, string stream, long expected)
    {
        var result = (long)(await call);
        if (result < 0) throw new JournalConflictException(stream, expected, -1 - result);
    }

    /// <summary>
    /// Names of streams with work pending (replies not yet handed to a channel). One set for the service: a Redis
    /// Cluster deployment needs it in the streams' slot, which this single-node layout does not do yet.
    /// </summary>
    private RedisKey PendingKey => $"{prefix}/journal/pending";

    private RedisKey NameKey(string stream) => $"{prefix}/journal/{{{Tag(stream)}}}/name";

    private static string Tag(string stream) => WalRecord.KeyOf(stream).ToString("x32");

    private RedisKey[] Keys(string stream)
    {
        var tag = WalRecord.KeyOf(stream).ToString("x32");
        return [$"{prefix}/journal/{{{tag}}}/log", $"{prefix}/journal/{{{tag}}}/version"];
    }
}

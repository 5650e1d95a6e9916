using StackExchange.Redis;
using Switchboard.Grains.Journaling;

namespace Switchboard.Silo.Storage.Journal;

/// <summary>
/// The journal on Redis: per stream a list whose first element is the latest snapshot (or the first event) and a
/// version counter, both under one hash tag so a Redis Cluster keeps them in one slot. An append is one script that
/// checks the version (one writer per stream across silos), clears the list for a snapshot, and pushes the record;
/// concurrent appends from many grains share the connection's pipeline. Key names are hashes of stream names.
/// </summary>
public sealed class RedisJournalStore(IConnectionMultiplexer redis, string prefix) : IJournalStore
{
    private const string AppendScript = """
        local current = tonumber(redis.call('GET', KEYS[2]) or '0')
        if current ~= tonumber(ARGV[1]) then return -1 - current end
        if ARGV[2] == '2' then redis.call('DEL', KEYS[1]) end
        redis.call('RPUSH', KEYS[1], ARGV[3])
        redis.call('SET', KEYS[2], current + 1)
        if ARGV[4] == '1' then redis.call('SADD', KEYS[3], ARGV[5]) else redis.call('SREM', KEYS[3], ARGV[5]) end
        return current + 1
        """;

    private const string ReadScript = """
        return { redis.call('GET', KEYS[2]) or '0', redis.call('LRANGE', KEYS[1], 0, -1) }
        """;

    private const string DeleteScript = """
        local current = tonumber(redis.call('GET', KEYS[2]) or '0')
        redis.call('DEL', KEYS[1])
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
        var call = Db.ScriptEvaluateAsync(AppendScript, [.. Keys(stream), PendingKey], [expectedVersion, (int)kind, record, pending ? 1 : 0, stream]);
        return Check(call, stream, expectedVersion);
    }

    public Task DeleteAsync(string stream) => Db.ScriptEvaluateAsync(DeleteScript, [.. Keys(stream), PendingKey], [stream]);

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

    private RedisKey[] Keys(string stream)
    {
        var tag = WalRecord.KeyOf(stream).ToString("x32");
        return [$"{prefix}/journal/{{{tag}}}/log", $"{prefix}/journal/{{{tag}}}/version"];
    }
}

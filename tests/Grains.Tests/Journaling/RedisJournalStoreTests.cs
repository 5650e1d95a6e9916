using StackExchange.Redis;
using Switchboard.Grains.Journaling;
using Switchboard.Silo.Storage.Journal;
using Switchboard.TestSupport;

namespace Switchboard.Grains.Tests.Journaling;

/// <summary>The journal contract against a real redis-server.</summary>
public sealed class RedisJournalStoreTests : JournalStoreContract, IAsyncLifetime
{
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private RedisJournalStore _store = null!;

    protected override IJournalStore Store => _store;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        _store = new RedisJournalStore(_connection, "journal-test");
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Keys_hold_no_stream_name()
    {
        await _store.AppendAsync("customer/airline/c-visible-name", 0, JournalRecordKind.Event, Bytes("x"));
        var keys = _connection.GetServer(_connection.GetEndPoints()[0]).Keys(pattern: "journal-test/*").Select(k => (string)k!).ToList();
        Assert.NotEmpty(keys);
        Assert.DoesNotContain(keys, k => k.Contains("c-visible-name", StringComparison.Ordinal));
    }
}

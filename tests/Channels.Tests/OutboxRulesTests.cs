using Switchboard.Grains.Consent;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Grains.Outbox;

namespace Switchboard.Channels.Tests;

public sealed class OutboxRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_service_window_is_open_for_24_hours_after_the_customers_last_message()
    {
        Assert.True(ServiceWindow.IsOpen(Now.AddHours(-23.9), Now));
        Assert.False(ServiceWindow.IsOpen(Now.AddHours(-24), Now));
        Assert.False(ServiceWindow.IsOpen(null, Now));
        Assert.Contains("25.0 h ago", ServiceWindow.Explain(Now.AddHours(-25), Now));
    }

    [Fact]
    public void Window_notes_of_customers_silent_past_the_window_are_swept_at_most_hourly_and_recent_ones_kept()
    {
        var state = new OutboxState();
        for (var i = 0; i < 1_000; i++) Assert.True(state.NoteInbound($"old-{i}", Now.AddHours(-30), Now.AddHours(-30)));
        Assert.Equal(1_000, state.LastInbound.Count);
        // 28 hours on, a new note sweeps every customer silent for 24 h or more.
        Assert.True(state.NoteInbound("recent", Now.AddHours(-2), Now.AddHours(-2)));
        Assert.Equal(["recent"], state.LastInbound.Keys);
        // An older or equal note changes nothing.
        Assert.False(state.NoteInbound("recent", Now.AddHours(-3), Now.AddHours(-1.9)));
        // Within the hour after a sweep, notes are only added (a stale one too: IsOpen reads its time)...
        Assert.True(state.NoteInbound("late", Now.AddHours(-26), Now.AddHours(-1.5)));
        Assert.Equal(2, state.LastInbound.Count);
        Assert.False(ServiceWindow.IsOpen(state.LastInbound["late"], Now.AddHours(-1.5)));
        // ...and the first note after it sweeps again.
        Assert.True(state.NoteInbound("new", Now.AddHours(-0.5), Now.AddHours(-0.5)));
        Assert.Equal(["new", "recent"], state.LastInbound.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Backoff_doubles_from_the_base_and_stops_at_the_cap()
    {
        var policy = new OutboxPolicy { BaseBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(30) };
        Assert.Equal([2, 4, 8, 16, 30, 30], Enumerable.Range(1, 6).Select(a => policy.Backoff(a).TotalSeconds).ToArray());
        Assert.Throws<InvalidOperationException>(() => new OutboxPolicy { Shards = 0 }.Validate());
    }

    [Fact]
    public void One_recipient_always_lands_in_the_same_shard_and_recipients_spread()
    {
        Assert.Equal(OutboxKeys.Shard(Channel.WhatsApp, "919800000001", 32), OutboxKeys.Shard(Channel.WhatsApp, "919800000001", 32));
        var shards = Enumerable.Range(0, 1000).Select(i => OutboxKeys.Shard(Channel.WhatsApp, $"9198{i:D8}", 32)).Distinct().Count();
        Assert.Equal(32, shards);
        Assert.StartsWith("sms/", OutboxKeys.Shard(Channel.Sms, "+919800000001", 32));
    }

    [Theory]
    [InlineData("STOP", ConsentKeyword.OptOut)]
    [InlineData(" unsubscribe! ", ConsentKeyword.OptOut)]
    [InlineData("Start", ConsentKeyword.OptIn)]
    [InlineData("please stop sending me offers", ConsentKeyword.None)]
    [InlineData("", ConsentKeyword.None)]
    public void Consent_keywords_match_only_a_whole_message(string text, ConsentKeyword expected) =>
        Assert.Equal(expected, ConsentKeywords.Match(text, ["STOP", "UNSUBSCRIBE"], ["START"]));
}

using System.Runtime.CompilerServices;
using Switchboard.Grains.Journaling;
using Switchboard.Silo.Storage.Journal;

namespace Switchboard.Grains.Tests.Journaling;

/// <summary>
/// The WAL index keeps each stream's entry by value in its dictionary (mem12): 40 bytes with the sequence numbers packed
/// (the queued count and the named flag in one word), which must behave as the separate fields did.
/// </summary>
public sealed class WalStreamEntryTests
{
    [Fact]
    public void An_entry_is_40_bytes()
    {
        Assert.Equal(40, Unsafe.SizeOf<WalStreamEntry>());
        Assert.Equal(16, Unsafe.SizeOf<WalRecordRef>());
    }

    [Fact]
    public void Queued_appends_and_the_named_flag_are_kept_apart_from_the_durable_sequence()
    {
        var entry = new WalStreamEntry();
        entry.NextSequence++;
        entry.NextSequence++;
        entry.NamedLive = true;
        Assert.Equal(2, entry.NextSequence);
        Assert.Equal(0, entry.LastSequence);
        // The first append becomes durable: the second is still queued, the flag stays.
        entry.LastSequence = 1;
        Assert.Equal(2, entry.NextSequence);
        Assert.True(entry.NamedLive);
        entry.NamedLive = false;
        Assert.Equal(2, entry.NextSequence);
        Assert.False(entry.NamedLive);
        // A failed batch: back to the durable sequence.
        entry.NextSequence = entry.LastSequence;
        Assert.Equal(1, entry.NextSequence);
        // Recovery raises the durable sequence past a next one never assigned.
        var recovered = new WalStreamEntry { LastSequence = 7_000_000_000 };
        Assert.Equal(7_000_000_000, recovered.NextSequence);
        Assert.Throws<ArgumentOutOfRangeException>(() => recovered.NextSequence = 6);
    }

    [Fact]
    public void Records_beyond_the_first_go_to_an_array_and_a_snapshot_clears_them()
    {
        var entry = new WalStreamEntry();
        for (var i = 0; i < 5; i++) entry.Add(new WalRecordRef(1, i * 100, 50 + i, i == 0 ? JournalRecordKind.Snapshot : JournalRecordKind.Event, named: i == 3));
        Assert.Equal(5, entry.Count);
        Assert.Equal(300, entry[3].Offset);
        Assert.Equal(53, entry[3].Length);
        Assert.True(entry.AnyNamed());
        entry[3] = entry[3] with { Segment = 2 };
        Assert.Equal(2, entry[3].Segment);
        entry.Clear();
        Assert.Equal(0, entry.Count);
        Assert.False(entry.AnyNamed());
    }
}

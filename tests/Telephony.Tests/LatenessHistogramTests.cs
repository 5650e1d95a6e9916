using Switchboard.Telephony.Rtp;

namespace Switchboard.Telephony.Tests;

public sealed class LatenessHistogramTests
{
    [Fact]
    public void Packets_a_stall_kept_from_being_sent_count_as_the_latest_not_as_on_time()
    {
        var lateness = new LatenessHistogram();
        for (var i = 0; i < 98; i++) lateness.Record(100);
        Assert.Equal(150, lateness.Percentile(99)); // every sent packet in the 100-150 µs bucket

        lateness.RecordNeverSent(2);
        lateness.RecordNeverSent(0);
        lateness.RecordNeverSent(-3);
        Assert.Equal(100, lateness.Count);
        Assert.Equal(150, lateness.Percentile(98));
        Assert.Equal(50_050, lateness.Percentile(99)); // the last bucket: 50 ms and more, or never sent
    }

    [Fact]
    public void The_packets_of_skipped_ticks_are_each_slots_streams_once_per_round()
    {
        // Slot k holds k streams (0..19): one round of 20 ticks sends 190 packets wherever it starts.
        static int Streams(int slot) => slot;
        Assert.Equal(190, MediaPacer.PacketsDue(Streams, firstTick: 0, ticks: MediaPacer.Slots));
        Assert.Equal(190, MediaPacer.PacketsDue(Streams, firstTick: 37, ticks: MediaPacer.Slots));
        // 45 ticks from tick 18: two rounds (380), then slots 18, 19, 0, 1, 2 (18 + 19 + 0 + 1 + 2 = 40).
        Assert.Equal(420, MediaPacer.PacketsDue(Streams, firstTick: 18, ticks: 45));
        Assert.Equal(0, MediaPacer.PacketsDue(Streams, firstTick: 5, ticks: 0));
        Assert.Equal(7, MediaPacer.PacketsDue(Streams, firstTick: 127, ticks: 1)); // tick 127 is slot 7
    }
}

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
}

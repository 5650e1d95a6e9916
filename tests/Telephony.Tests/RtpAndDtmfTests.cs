using Microsoft.Extensions.Time.Testing;
using Switchboard.Telephony.Dtmf;
using Switchboard.Telephony.Rtp;

namespace Switchboard.Telephony.Tests;

public sealed class RtpAndDtmfTests
{
    [Fact]
    public void Rtp_header_round_trips()
    {
        var buffer = new byte[RtpPacket.HeaderSize + 4];
        RtpPacket.WriteHeader(buffer, true, 101, 65535, 0xFFFFFF00, 0xDEADBEEF);
        buffer[12] = 7;
        Assert.True(RtpPacket.TryRead(buffer, out var p));
        Assert.True(p.Marker);
        Assert.Equal(101, p.PayloadType);
        Assert.Equal(65535, p.Sequence);
        Assert.Equal(0xFFFFFF00u, p.Timestamp);
        Assert.Equal(0xDEADBEEFu, p.Ssrc);
        Assert.Equal(4, p.Payload.Length);
        Assert.Equal(7, p.Payload[0]);
    }

    [Fact]
    public void Rtp_rejects_wrong_version_and_inconsistent_lengths()
    {
        Assert.False(RtpPacket.TryRead(new byte[11], out _));
        var b = new byte[20];
        b[0] = 0x40; // version 1
        Assert.False(RtpPacket.TryRead(b, out _));
        b[0] = 0x8F; // 15 CSRCs but only 8 bytes after the header
        Assert.False(RtpPacket.TryRead(b, out _));
        b[0] = 0xA0; // padding count larger than the payload
        b[^1] = 200;
        Assert.False(RtpPacket.TryRead(b, out _));
    }

    [Fact]
    public void Sequence_numbers_extend_across_the_16_bit_wrap()
    {
        var tracker = new SequenceTracker();
        var extended = new List<long>();
        for (var i = 0; i < 10; i++) extended.Add(tracker.Update((ushort)(65530 + i)));
        Assert.Equal(Enumerable.Range(65530, 10).Select(i => (long)i), extended);
        Assert.Equal(65539u, tracker.HighestExtended);
        Assert.Equal(10, tracker.Expected);
        Assert.Equal(0, tracker.Lost);
        // A late packet from before the wrap keeps its place.
        Assert.Equal(65533, tracker.Update(65533));
    }

    [Fact]
    public void Jitter_buffer_reorders_across_the_wrap_and_drops_late_frames()
    {
        var tracker = new SequenceTracker();
        var buffer = new JitterBuffer(depth: 2);
        var order = new ushort[] { 65534, 0, 65535, 1, 2, 3 };
        var released = new List<long>();
        foreach (var seq in order)
        {
            buffer.Push(tracker.Update(seq), [(byte)(seq & 0xFF)]);
            while (buffer.TryPop(out var s, out _)) released.Add(s);
        }
        while (buffer.TryPop(out var s, out _, flush: true)) released.Add(s);
        Assert.Equal([65534L, 65535, 65536, 65537, 65538, 65539], released);
        Assert.False(buffer.Push(65535, [0])); // late
        Assert.Equal(1, buffer.Dropped);
    }

    [Fact]
    public void Dtmf_round_trips_every_digit_once_despite_retransmitted_end_packets()
    {
        var receiver = new DtmfReceiver();
        var heard = new List<char>();
        var payload = new byte[4];
        uint timestamp = 1000;
        foreach (var digit in "0123456789*#ABCD")
        {
            var sender = new DtmfSender(digit, durationMs: 100);
            var packets = 0;
            var ends = 0;
            while (!sender.Finished)
            {
                var evt = sender.Next(out var first);
                Assert.Equal(packets == 0, first);
                evt.Write(payload);
                if (evt.End) ends++;
                if (receiver.TryAccept(0x1234, timestamp, payload, out var d)) heard.Add(d);
                packets++;
            }
            Assert.Equal(3, ends);
            Assert.Equal(8, packets);
            timestamp += 1600;
        }
        Assert.Equal("0123456789*#ABCD", new string([.. heard]));
    }

    [Fact]
    public void Dtmf_end_packet_carries_the_full_duration()
    {
        var sender = new DtmfSender('5', durationMs: 100);
        TelephoneEvent last = default;
        while (!sender.Finished) last = sender.Next(out _);
        Assert.True(last.End);
        Assert.Equal(5, last.Event);
        Assert.Equal(800, last.Duration);
    }

    [Fact]
    public async Task Prompt_playback_stops_mid_prompt_for_barge_in()
    {
        var playback = new PromptPlayback(new byte[160 * 10]);
        var frame = new byte[160];
        Assert.True(playback.TryNextFrame(frame, 0xFF));
        Assert.True(playback.TryNextFrame(frame, 0xFF));
        playback.Stop();
        Assert.False(playback.TryNextFrame(frame, 0xFF));
        Assert.False(await playback.Completion);

        var whole = new PromptPlayback(new byte[200]);
        Assert.True(whole.TryNextFrame(frame, 0xFF));
        Assert.True(whole.TryNextFrame(frame, 0xFF));
        Assert.Equal(0xFF, frame[100]); // the short last frame is padded with silence
        Assert.True(await whole.Completion);
    }
}

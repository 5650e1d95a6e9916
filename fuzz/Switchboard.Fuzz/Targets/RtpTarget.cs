using System.Buffers.Binary;
using Switchboard.Telephony.Dtmf;
using Switchboard.Telephony.Rtp;

namespace Switchboard.Fuzz.Targets;

/// <summary>What arrives at a call's RTP and RTCP ports: read, sequenced, buffered; SRTP and SRTCP unprotect; and an SRTP round trip of any packet we accept.</summary>
public static class RtpTarget
{
    private static readonly byte[] KeyAndSalt = Enumerable.Range(1, SrtpContext.MasterKeyLength + SrtpContext.MasterSaltLength).Select(i => (byte)i).ToArray();

    public static void Run(ReadOnlySpan<byte> input)
    {
        var tracker = new SequenceTracker();
        var jitter = new JitterBuffer();
        var dtmf = new DtmfReceiver();
        // Several datagrams per input: a length byte before each, so sequencing and reordering see a stream.
        var rest = input;
        while (rest.Length > 1)
        {
            var n = Math.Min(rest[0] + 12, rest.Length - 1);
            var datagram = rest.Slice(1, n);
            rest = rest[(1 + n)..];
            if (!RtpPacket.TryRead(datagram, out var packet)) continue;
            var extended = tracker.Update(packet.Sequence, packet.Timestamp, 0);
            if (packet.PayloadType == 101) dtmf.TryAccept(packet.Ssrc, packet.Timestamp, packet.Payload, out _);
            else jitter.Push(extended, packet.Payload);
            while (jitter.TryPop(out _, out _)) { }
        }
        using var receiver = SrtpContext.FromKeyAndSalt(KeyAndSalt);
        receiver.TryUnprotectRtp(input.ToArray(), out _);
        RoundTrip(input);
    }

    public static void RunRtcp(ReadOnlySpan<byte> input)
    {
        using var receiver = SrtpContext.FromKeyAndSalt(KeyAndSalt);
        var packet = input.ToArray();
        if (receiver.TryUnprotectRtcp(packet, out var length) && length > packet.Length) throw new InvalidOperationException("SRTCP unprotect grew the packet.");
        // Our own sender reports, protected and unprotected again, whatever their content.
        if (input.Length < 8) return;
        var buffer = new byte[input.Length + SrtpContext.RtcpOverhead];
        input.CopyTo(buffer);
        using var sender = SrtpContext.FromKeyAndSalt(KeyAndSalt);
        using var peer = SrtpContext.FromKeyAndSalt(KeyAndSalt);
        var protectedLength = sender.ProtectRtcp(buffer, input.Length);
        if (!peer.TryUnprotectRtcp(buffer.AsSpan(0, protectedLength), out var back) || !buffer.AsSpan(0, back).SequenceEqual(input))
            throw new InvalidOperationException("An SRTCP packet we protected did not come back as it was.");
    }

    private static void RoundTrip(ReadOnlySpan<byte> input)
    {
        if (!RtpPacket.TryRead(input, out _)) return;
        var buffer = new byte[input.Length + SrtpContext.RtpOverhead];
        input.CopyTo(buffer);
        using var sender = SrtpContext.FromKeyAndSalt(KeyAndSalt);
        using var peer = SrtpContext.FromKeyAndSalt(KeyAndSalt);
        var protectedLength = sender.ProtectRtp(buffer, input.Length);
        if (!peer.TryUnprotectRtp(buffer.AsSpan(0, protectedLength), out var back) || !buffer.AsSpan(0, back).SequenceEqual(input))
            throw new InvalidOperationException($"An RTP packet we accept did not survive an SRTP round trip (seq {BinaryPrimitives.ReadUInt16BigEndian(input[2..])}).");
    }
}

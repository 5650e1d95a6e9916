using System.Net;
using System.Net.Sockets;
using Switchboard.Telephony.Rtp;

namespace Switchboard.Voice.Tests;

/// <summary>Symmetric RTP latches once: a stranger sending valid RTP to a live call's port never receives its audio.</summary>
[Collection("sipp")]
public sealed class RtpLatchingTests
{
    [Fact]
    public async Task Valid_rtp_from_a_second_socket_never_redirects_the_calls_audio()
    {
        await using var app = await VoiceEngineWithConfigure.StartAsync(null);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var uac = new TestUac(app.SipPort, "+919800000031");
        await uac.CallAsync(deadline.Token);
        await uac.SendAudioAsync(5, 0x80, deadline.Token);
        await uac.ReceiveRtpUntilAsync((_, _) => true, deadline.Token);

        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var forged = new byte[RtpPacket.HeaderSize + 160];
        for (ushort i = 0; i < 40; i++)
        {
            RtpPacket.WriteHeader(forged, i == 0, 0, (ushort)(5000 + i), 90_000u + i * 160u, 0x0BADF00D);
            forged.AsSpan(RtpPacket.HeaderSize).Fill(0x10);
            await attacker.SendToAsync(forged, SocketFlags.None, uac.Media!, deadline.Token);
            // Each forged packet is answered by the real peer getting the next 20 ms of audio, not the attacker.
            await uac.ReceiveRtpUntilAsync((_, _) => true, deadline.Token);
        }
        // Half a second of audio after the last forged packet still reaches the peer.
        uac.DrainRtp();
        var heard = 0;
        await uac.ReceiveRtpUntilAsync((_, _) => ++heard >= 25, deadline.Token);
        Assert.Equal(0, attacker.Available);
        await uac.ByeAsync(deadline.Token);
    }

    [Fact]
    public async Task The_address_in_the_peers_sdp_takes_the_audio_back_from_a_stranger_who_latched_first()
    {
        await using var app = await VoiceEngineWithConfigure.StartAsync(null);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var uac = new TestUac(app.SipPort, "+919800000032");
        await uac.CallAsync(deadline.Token);

        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var forged = new byte[RtpPacket.HeaderSize + 160];
        RtpPacket.WriteHeader(forged, true, 0, 5000, 90_000u, 0x0BADF00D);
        await attacker.SendToAsync(forged, SocketFlags.None, uac.Media!, deadline.Token);
        var buffer = new byte[2048];
        await attacker.ReceiveAsync(buffer, SocketFlags.None, deadline.Token); // the stranger won the race before the peer spoke

        uac.DrainRtp();
        await uac.SendAudioAsync(3, 0x80, deadline.Token);
        await uac.ReceiveRtpUntilAsync((_, _) => true, deadline.Token);
        // The stranger cannot win it back: more forged packets, and the peer keeps hearing the call.
        for (ushort i = 1; i <= 10; i++)
        {
            RtpPacket.WriteHeader(forged, false, 0, (ushort)(5000 + i), 90_000u + i * 160u, 0x0BADF00D);
            await attacker.SendToAsync(forged, SocketFlags.None, uac.Media!, deadline.Token);
            await uac.ReceiveRtpUntilAsync((_, _) => true, deadline.Token);
        }
        await uac.ByeAsync(deadline.Token);
    }
}

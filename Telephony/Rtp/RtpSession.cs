using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Switchboard.Telephony.Codecs;
using Switchboard.Telephony.Dtmf;

namespace Switchboard.Telephony.Rtp;

/// <summary>Receives one decoded 20 ms frame (160 samples of 8 kHz PCM). Runs on the <see cref="RtpReceiver"/> thread that serves many calls: keep it short, never block.</summary>
public delegate void PcmFrameHandler(ReadOnlySpan<short> frame);

/// <summary>
/// The media of one call: an RTP/RTCP socket pair, outbound packets paced by the shared <see cref="MediaPacer"/>
/// (prompt audio, RFC 4733 digits, or silence), inbound packets through a jitter buffer to a PCM handler and a DTMF
/// receiver. Symmetric RTP: we latch once, to the source of the first valid packet (or the address in the peer's SDP),
/// and answer there; packets from any other source are dropped unread, so a stranger who finds the port can neither
/// hijack nor inject audio.
/// </summary>
public sealed class RtpSession : IPacedStream, IDatagramSink, IAsyncDisposable
{
    private const int RtcpIntervalTicks = 250; // 5 s
    private readonly Socket _rtp;
    private readonly Socket _rtcp;
    private readonly Action _release;
    private readonly byte[] _sendBuffer = new byte[RtpPacket.HeaderSize + G711.SamplesPer20Ms + SrtpContext.RtpOverhead];
    private readonly byte[] _rtcpBuffer = new byte[52 + SrtpContext.RtcpOverhead];
    private SrtpContext? _srtpSend;
    private volatile SrtpContext? _srtpReceive;
    private byte[]? _remoteSrtpKey;
    private readonly Queue<char> _pendingDigits = new();
    private readonly DtmfReceiver _dtmf = new();
    private readonly JitterBuffer _jitter = new();
    private readonly SequenceTracker _received = new();
    private readonly SerializedEndPoint _remoteSerialized = new();
    private readonly SerializedEndPoint _offeredSerialized = new();
    private readonly RtpReceiver _receiver;
    private RtpReceiver.Registration? _registration;
    private short[]? _sentPcm;
    private IPEndPoint? _sendingTo;
    private SocketAddress? _sendingToAddress;
    private volatile IPEndPoint _remote;
    private volatile IPEndPoint? _remoteRtcp;
    private volatile PromptPlayback? _playback;
    private DtmfSender? _digit;
    private uint _digitTimestamp;
    private ushort _sequence;
    private uint _timestamp;
    private bool _marker = true;
    private long _ticks;
    private volatile bool _latched;
    private IPEndPoint _offered;

    /// <param name="receiver">Reads the sockets once <see cref="Start"/> is called; <see cref="RtpReceiver.Shared"/> by default.</param>
    public RtpSession(Socket rtp, Socket rtcp, int localPort, IPEndPoint remote, AudioCodec codec, int? telephoneEventPayloadType, Action release,
        RtpReceiver? receiver = null)
    {
        _receiver = receiver ?? RtpReceiver.Shared;
        _rtp = rtp;
        _rtcp = rtcp;
        _release = release;
        LocalPort = localPort;
        _remote = remote;
        _offered = remote;
        Codec = codec;
        TelephoneEventPayloadType = telephoneEventPayloadType;
        Ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
        _timestamp = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    }

    public int LocalPort { get; }
    public AudioCodec Codec { get; private set; }
    public int? TelephoneEventPayloadType { get; private set; }
    public uint Ssrc { get; }
    public IPEndPoint Remote => _remote;

    /// <summary>False while the peer holds the call: nothing is sent.</summary>
    public bool Sending { get; set; } = true;

    public long PacketsSent { get; private set; }
    public long OctetsSent { get; private set; }
    public long PacketsReceived => _received.Received;
    public long RtcpReceived { get; private set; }

    /// <summary>Valid RTP/RTCP packets dropped because they came from a source other than the latched peer.</summary>
    public long ForeignPacketsDropped => Interlocked.Read(ref _foreignDropped);
    private long _foreignDropped;

    /// <summary>SRTP/SRTCP packets dropped because they did not authenticate.</summary>
    public long SrtpRejected { get; private set; }

    /// <summary>Whether media is SRTP (RFC 3711) with SDES keys.</summary>
    public bool Secure => _srtpSend is not null;

    /// <summary>Our SDES master key and salt (30 bytes) while <see cref="Secure"/>; the same key is answered on every re-INVITE.</summary>
    public byte[]? LocalSrtpKey { get; private set; }

    /// <summary>
    /// Turns on SRTP before <see cref="Start"/>: we protect with <paramref name="localKey"/> (the key in our SDP) and
    /// accept only packets that authenticate under <paramref name="remoteKey"/> (the peer's).
    /// </summary>
    public void UseSrtp(byte[] localKey, byte[] remoteKey)
    {
        LocalSrtpKey = localKey;
        _srtpSend = SrtpContext.FromKeyAndSalt(localKey);
        UpdateRemoteSrtpKey(remoteKey);
    }

    /// <summary>A re-INVITE brought a new key from the peer: packets under the old one stop authenticating.</summary>
    public void UpdateRemoteSrtpKey(byte[] remoteKey)
    {
        if (_remoteSrtpKey is not null && remoteKey.AsSpan().SequenceEqual(_remoteSrtpKey)) return;
        _remoteSrtpKey = remoteKey;
        // The receive thread may hold the old context for one more packet: it is left to the GC rather than disposed under it.
        _srtpReceive = SrtpContext.FromKeyAndSalt(remoteKey);
    }

    private readonly Queue<char> _earlyDigits = new();
    private Action<char>? _digitHandler;

    /// <summary>
    /// Where received digits go. Digits that arrive before a handler is set (RTP can overtake the ACK that starts the
    /// conversation) are kept, up to 32, and handed over when it is set.
    /// </summary>
    public void SetDigitHandler(Action<char>? handler)
    {
        List<char> early;
        lock (_earlyDigits)
        {
            _digitHandler = handler;
            early = [.. _earlyDigits];
            _earlyDigits.Clear();
        }
        if (handler is not null)
            foreach (var d in early) handler(d);
    }

    private void RaiseDigit(char digit)
    {
        Action<char>? handler;
        lock (_earlyDigits)
        {
            handler = _digitHandler;
            if (handler is null)
            {
                if (_earlyDigits.Count < 32) _earlyDigits.Enqueue(digit);
                return;
            }
        }
        handler(digit);
    }

    public PcmFrameHandler? AudioReceived { get; set; }

    /// <summary>Sees each outbound audio frame decoded to PCM (for call recording); runs on the pacer thread.</summary>
    public PcmFrameHandler? AudioSent { get; set; }

    public bool IsPlaying => _playback is { IsFinished: false };

    /// <summary>Starts reading the sockets on the receiver's thread (no task or buffer of the call's own).</summary>
    public void Start()
    {
        if (_registration is not null) throw new InvalidOperationException("The session is started already.");
        _registration = _receiver.Register(_rtp, _rtcp, this);
    }

    /// <summary>Applies a re-INVITE's result: new address, codec or hold state.</summary>
    public void Update(IPEndPoint remote, AudioCodec codec, int? telephoneEventPayloadType, bool sending)
    {
        if (!remote.Equals(_offered))
        {
            // The peer's SDP moved its media (a re-INVITE, or the answer to our placeholder offer): latch afresh there.
            _offered = remote;
            _remote = remote;
            _remoteRtcp = null;
            _latched = false;
        }
        else if (!_latched) _remote = remote;
        Codec = codec;
        TelephoneEventPayloadType = telephoneEventPayloadType;
        Sending = sending;
    }

    /// <summary>Starts playing G.711 audio (in this session's codec), stopping whatever was playing.</summary>
    public PromptPlayback Play(byte[] encodedAudio) => Play(new PromptPlayback(encodedAudio));

    /// <summary>Starts playing <paramref name="playback"/> (a streaming prompt takes its audio as it comes), stopping whatever was playing.</summary>
    public PromptPlayback Play(PromptPlayback playback)
    {
        Interlocked.Exchange(ref _playback, playback)?.Stop();
        return playback;
    }

    /// <summary>Barge-in: stops the current prompt at the next tick.</summary>
    public void StopPlayback() => _playback?.Stop();

    /// <summary>A digit that arrived out of band (SIP INFO) takes the same path as an RFC 4733 one.</summary>
    public void InjectDigit(char digit)
    {
        if (TelephoneEvent.FromDigit(digit) is not null) RaiseDigit(digit);
    }

    public void SendDigit(char digit)
    {
        if (TelephoneEvent.FromDigit(digit) is null) throw new ArgumentException($"'{digit}' is not a DTMF digit.", nameof(digit));
        lock (_pendingDigits) _pendingDigits.Enqueue(digit);
    }

    public void OnTick()
    {
        _ticks++;
        var ts = _timestamp;
        _timestamp += G711.SamplesPer20Ms;
        if (_ticks % RtcpIntervalTicks == 0) SendSenderReport();
        if (!Sending) return;
        int length;
        if (_digit is null && TelephoneEventPayloadType is not null && _pendingDigits.Count > 0)
        {
            lock (_pendingDigits)
                if (_pendingDigits.TryDequeue(out var d)) { _digit = new DtmfSender(d); _digitTimestamp = ts; }
        }
        if (_digit is not null)
        {
            var evt = _digit.Next(out var first);
            RtpPacket.WriteHeader(_sendBuffer, first, (byte)TelephoneEventPayloadType!.Value, _sequence++, _digitTimestamp, Ssrc);
            evt.Write(_sendBuffer.AsSpan(RtpPacket.HeaderSize));
            length = RtpPacket.HeaderSize + TelephoneEvent.Size;
            if (_digit.Finished) _digit = null;
        }
        else
        {
            var frame = _sendBuffer.AsSpan(RtpPacket.HeaderSize, G711.SamplesPer20Ms);
            var playback = _playback;
            if (playback is null || !playback.TryNextFrame(frame, G711.Silence(Codec))) frame.Fill(G711.Silence(Codec));
            RtpPacket.WriteHeader(_sendBuffer, _marker, (byte)Codec, _sequence++, ts, Ssrc);
            _marker = false;
            length = RtpPacket.HeaderSize + G711.SamplesPer20Ms;
            if (AudioSent is { } tap)
            {
                var sent = _sentPcm ??= new short[G711.SamplesPer20Ms];
                G711.Decode(Codec, frame, sent);
                tap(sent);
            }
        }
        var payload = length - RtpPacket.HeaderSize;
        if (_srtpSend is { } srtp) length = srtp.ProtectRtp(_sendBuffer, length);
        try
        {
            // The destination serialized once per address, not per packet (the pacer thread's own copy).
            var remote = _remote;
            if (!ReferenceEquals(remote, _sendingTo)) (_sendingToAddress, _sendingTo) = (remote.Serialize(), remote);
            _rtp.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, _sendingToAddress!);
            PacketsSent++;
            OctetsSent += payload;
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>One datagram from the <see cref="RtpReceiver"/>'s thread: RTP (channel 0) or RTCP (channel 1).</summary>
    void IDatagramSink.OnDatagram(int channel, Span<byte> datagram, SocketAddress from, Span<short> scratch)
    {
        if (channel == 0) OnRtp(datagram, from, scratch);
        else OnRtcp(datagram, from);
    }

    private void OnRtp(Span<byte> buffer, SocketAddress from, Span<short> pcm)
    {
        // The source of each datagram is compared with the latched and offered addresses in their serialized form: no
        // IPEndPoint per packet. One is made only for a source that differs.
        var fromRemote = _remoteSerialized.Matches(from, _remote);
        // Re-latching on every packet let any sender take the call's audio (media hijack): once latched, strangers are
        // dropped unread. The address in the peer's SDP came through signalling, so it may still take over a latch a stranger won the race for.
        if (_latched && !fromRemote && !_offeredSerialized.Matches(from, _offered))
        {
            Interlocked.Increment(ref _foreignDropped);
            return;
        }
        var received = buffer.Length;
        // SRTP: nothing that fails authentication is read, latched to, or counted.
        if (_srtpReceive is { } srtp && !srtp.TryUnprotectRtp(buffer, out received))
        {
            SrtpRejected++;
            return;
        }
        if (!RtpPacket.TryRead(buffer[..received], out var packet)) return;
        if (!_latched || !fromRemote)
        {
            // Symmetric RTP (for NAT): send back to where the media really comes from, decided once per offer.
            var source = SerializedEndPoint.ToEndPoint(from);
            _remote = source;
            _remoteRtcp = new IPEndPoint(source.Address, source.Port + 1);
            _latched = true;
        }
        var arrival = Stopwatch.GetTimestamp() * 8000 / Stopwatch.Frequency;
        var extended = _received.Update(packet.Sequence, packet.Timestamp, arrival);
        if (TelephoneEventPayloadType == packet.PayloadType)
        {
            if (_dtmf.TryAccept(packet.Ssrc, packet.Timestamp, packet.Payload, out var digit)) RaiseDigit(digit);
            return;
        }
        if (packet.PayloadType != (byte)Codec || AudioReceived is null) return;
        _jitter.Push(extended, packet.Payload);
        while (_jitter.TryPop(out _, out var frame))
        {
            var n = Math.Min(frame.Length, pcm.Length);
            G711.Decode(Codec, frame.AsSpan(0, n), pcm);
            AudioReceived?.Invoke(pcm[..n]);
            _jitter.Recycle(frame);
        }
    }

    private void OnRtcp(Span<byte> buffer, SocketAddress from)
    {
        if (_latched && !_remoteSerialized.MatchesAddress(from, _remote))
        {
            Interlocked.Increment(ref _foreignDropped);
            return;
        }
        var received = buffer.Length;
        if (_srtpReceive is { } srtp && !srtp.TryUnprotectRtcp(buffer, out received))
        {
            SrtpRejected++;
            return;
        }
        if (received >= 8 && buffer[0] >> 6 == 2 && buffer[1] is 200 or 201) RtcpReceived++;
    }

    /// <summary>RFC 3550 §6.4.1 sender report with one report block about what we received.</summary>
    private void SendSenderReport()
    {
        var b = _rtcpBuffer.AsSpan();
        var withBlock = _received.Received > 0;
        var words = withBlock ? 12 : 6;
        b[0] = (byte)(0x80 | (withBlock ? 1 : 0));
        b[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)(words));
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], Ssrc);
        var now = DateTime.UtcNow - new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var seconds = (ulong)now.TotalSeconds;
        var fraction = (ulong)((now.TotalSeconds - seconds) * 4294967296.0);
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], (uint)seconds);
        BinaryPrimitives.WriteUInt32BigEndian(b[12..], (uint)fraction);
        BinaryPrimitives.WriteUInt32BigEndian(b[16..], _timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(b[20..], (uint)PacketsSent);
        BinaryPrimitives.WriteUInt32BigEndian(b[24..], (uint)OctetsSent);
        if (withBlock)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b[28..], 0); // SSRC of source: filled by peers that care; one source per call
            var lost = (uint)Math.Min(_received.Lost, 0x7FFFFF);
            BinaryPrimitives.WriteUInt32BigEndian(b[32..], lost);
            BinaryPrimitives.WriteUInt32BigEndian(b[36..], _received.HighestExtended);
            BinaryPrimitives.WriteUInt32BigEndian(b[40..], _received.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(b[44..], 0);
            BinaryPrimitives.WriteUInt32BigEndian(b[48..], 0);
        }
        var target = _remoteRtcp ?? new IPEndPoint(_remote.Address, _remote.Port + 1);
        var length = (words + 1) * 4;
        if (_srtpSend is { } srtp) length = srtp.ProtectRtcp(b, length);
        try { _rtcp.SendTo(b[..length], SocketFlags.None, target); }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    public ValueTask DisposeAsync()
    {
        _playback?.Stop();
        // Once this returns the receiver's thread is not in, and will not enter, this session's handlers.
        _registration?.Dispose();
        _rtp.Dispose();
        _rtcp.Dispose();
        _release();
        _srtpSend?.Dispose();
        _srtpReceive?.Dispose();
        return ValueTask.CompletedTask;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Telephony.Dtmf;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Sip;

namespace Switchboard.Bench;

/// <summary>
/// A lightweight in-process SIP UAC for load: one SIP socket and one shared RTP socket for all calls (every call's SDP
/// names the same port; calls are told apart by SSRC), outbound RTP paced by its own <see cref="MediaPacer"/>. With
/// <c>srtp</c> every call offers RTP/SAVP with its own SDES key; inbound SRTP is told apart by the server's per-call port.
/// </summary>
public sealed class VoiceLoadCaller : IAsyncDisposable
{
    private readonly Socket _sip = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _rtp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly ConcurrentDictionary<string, LoadCall> _calls = new();
    private readonly ConcurrentDictionary<uint, SequenceTracker> _inbound = new();
    private readonly ConcurrentDictionary<int, SrtpContext> _srtpByServerPort = new();
    private readonly bool _srtp;
    private long _srtpRejected;
    private long _srtpBeforeKey;
    private readonly MediaPacer _pacer = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _sipLoop;
    private readonly Thread _rtpLoop;
    private readonly Thread _inviteSender;
    private readonly BlockingCollection<(LoadCall Call, byte[] Invite)> _invites = new();
    private int _next;

    private readonly bool _realtimeReceiver;

    /// <param name="realtimeReceiver">The inbound RTP thread at SCHED_FIFO (the default) or at nice -15, below the engine's real-time threads.</param>
    public VoiceLoadCaller(IPEndPoint server, bool srtp = false, bool realtimeReceiver = true)
    {
        _server = server;
        _srtp = srtp;
        _realtimeReceiver = realtimeReceiver;
        _sip.ReceiveBufferSize = _rtp.ReceiveBufferSize = 16 * 1024 * 1024;
        _sip.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sipLoop = new Thread(SipLoop) { IsBackground = true, Name = "uac-sip-receive" };
        _sipLoop.Start();
        _rtpLoop = new Thread(RtpLoop) { IsBackground = true, Name = "uac-rtp-receive" };
        _rtpLoop.Start();
        _inviteSender = new Thread(InviteSendLoop) { IsBackground = true, Name = "uac-invite-send" };
        _inviteSender.Start();
    }

    private int SipPort => ((IPEndPoint)_sip.LocalEndPoint!).Port;
    private int RtpPort => ((IPEndPoint)_rtp.LocalEndPoint!).Port;

    public long RtpPacketsReceived => _inbound.Values.Sum(t => t.Received);
    public long RtpPacketsExpected => _inbound.Values.Sum(t => t.Expected);
    public long RtpPacketsLost => _inbound.Values.Sum(t => t.Lost);
    public int InboundStreams => _inbound.Count;
    /// <summary>Inbound SRTP packets that did not authenticate.</summary>
    public long SrtpRejected => Interlocked.Read(ref _srtpRejected);
    /// <summary>Inbound SRTP packets that arrived before the 200 with their key was handled.</summary>
    public long SrtpBeforeKey => Interlocked.Read(ref _srtpBeforeKey);
    public void ResetInbound() => _inbound.Clear();

    /// <summary>Sends an INVITE and completes with the INVITE → 200 OK time (Stopwatch ticks), after sending the ACK; -1 when no 200 came within 30 s.</summary>
    public async Task<(LoadCall Call, long Ticks)> CallAsync(string from)
    {
        var n = Interlocked.Increment(ref _next);
        var call = new LoadCall($"load-{n}-{Environment.ProcessId}@127.0.0.1", "t" + n, from, this);
        _calls[call.CallId] = call;
        var key = _srtp ? System.Security.Cryptography.RandomNumberGenerator.GetBytes(SdesCrypto.KeyAndSaltLength) : null;
        var sdp = $"v=0\r\no=load {n} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {RtpPort} {(_srtp ? "RTP/SAVP" : "RTP/AVP")} 0 101\r\n" +
                  "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\na=sendrecv\r\n" +
                  (key is null ? "" : $"a=crypto:{SdesCrypto.Format(1, key)}\r\n");
        var invite = SipWriter.Request("INVITE", $"sip:1000@{_server}", call.Headers("INVITE", 1, SipWriter.NewBranch(), toTag: null), "application/sdp", Encoding.ASCII.GetBytes(sdp));
        // Sent (and its start time taken) by the sender thread: a thread-pool thread preempted between the timestamp
        // and the send on a loaded box was counted as INVITE→200 time.
        call.Queued = Stopwatch.GetTimestamp();
        _invites.Add((call, invite));
        SipMessage ok;
        try { ok = await call.Answered.Task.WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (TimeoutException)
        {
            // No 200 in 30 s (this UAC does not retransmit its INVITE): counted as a failed call, not a crash.
            _calls.TryRemove(call.CallId, out _);
            return (call, -1);
        }
        var ticks = call.AnsweredAt - call.Started;
        call.RemoteTag = ok.ToTag;
        if (SessionDescription.TryParse(ok.Body.Span, out var answer) && MediaNegotiation.Negotiate(answer!) is { } media)
        {
            call.RemoteRtp = new IPEndPoint(IPAddress.Parse(media.RemoteAddress), media.RemotePort);
            if (key is not null && media.RemoteCrypto is { } crypto)
            {
                call.Srtp = SrtpContext.FromKeyAndSalt(key);
                _srtpByServerPort[media.RemotePort] = SrtpContext.FromKeyAndSalt(crypto.KeyAndSalt);
            }
        }
        var ack = SipWriter.Request("ACK", $"sip:1000@{_server}", call.Headers("ACK", 1, SipWriter.NewBranch(), ok.ToTag));
        _sip.SendTo(ack, SocketFlags.None, _server);
        if (call.RemoteRtp is not null) _pacer.Add(call);
        return (call, ticks);
    }

    /// <summary>The scheduling the RTP receive thread got.</summary>
    public string ReceiverScheduling { get; private set; } = "starting";

    /// <summary>BYEs with no 200 within 10 s.</summary>
    public long ByesUnanswered => Interlocked.Read(ref _byesUnanswered);
    private long _byesUnanswered;

    public async Task HangUpAsync(LoadCall call)
    {
        _pacer.Remove(call);
        var bye = SipWriter.Request("BYE", $"sip:1000@{_server}", call.Headers("BYE", 2, SipWriter.NewBranch(), call.RemoteTag));
        _sip.SendTo(bye, SocketFlags.None, _server);
        try { await call.Ended.Task.WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (TimeoutException) { Interlocked.Increment(ref _byesUnanswered); }
        _calls.TryRemove(call.CallId, out _);
    }

    /// <summary>
    /// INVITEs go out from one dedicated thread (nice -15, like the server's SIP receive thread), which takes each call's
    /// start time right before the send: what INVITE→200 measures is then the server and the two SIP threads' wake-ups,
    /// not the load generator's thread-pool scheduling.
    /// </summary>
    private void InviteSendLoop()
    {
        PacerThreadPriority.Raise(realtime: false);
        try
        {
            foreach (var (call, invite) in _invites.GetConsumingEnumerable(_stop.Token))
            {
                call.Started = Stopwatch.GetTimestamp();
                try { _sip.SendTo(invite, SocketFlags.None, _server); }
                catch (SocketException) { }
                catch (ObjectDisposedException) { return; }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>
    /// SIP responses and the server's BYEs, read by a dedicated thread with blocking receives: the 200's arrival time is
    /// taken as soon as the datagram is read, so the thread pool's queue (busy with the server's RTP loops) is not
    /// counted as INVITE→200 time (it was, while this loop was async).
    /// </summary>
    private void SipLoop()
    {
        // nice -15 like the server's SIP thread: the instrument should not add its own scheduling wait to what it measures.
        PacerThreadPriority.Raise(realtime: false);
        var buffer = new byte[65_536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try { length = _sip.ReceiveFrom(buffer, SocketFlags.None, ref any); }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) when (_stop.IsCancellationRequested) { return; }
            catch (SocketException) { continue; }
            var now = Stopwatch.GetTimestamp();
            var parsed = SipParser.Parse(buffer.AsSpan(0, length));
            if (!parsed.Ok || !_calls.TryGetValue(parsed.Message!.CallId, out var call)) continue;
            var m = parsed.Message;
            if (m.IsRequest)
            {
                if (m.Method == "BYE") call.Ended.TrySetResult();
                try { _sip.SendTo(SipWriter.Response(m, 200, "OK"), SocketFlags.None, any); }
                catch (SocketException) { }
                catch (ObjectDisposedException) { return; }
                continue;
            }
            if (m.CSeqMethod == "INVITE" && m.StatusCode == 200 && call.AnsweredAt == 0)
            {
                call.AnsweredAt = now;
                call.Answered.TrySetResult(m);
            }
            else if (m.CSeqMethod == "BYE" && m.StatusCode >= 200) call.Ended.TrySetResult();
        }
    }

    /// <summary>
    /// All calls' inbound RTP on one socket, read by a dedicated thread with blocking receives into one reused
    /// SocketAddress: an async loop here could not take 50,000 packets/s (the UAC, not the server, lost them).
    /// </summary>
    private void RtpLoop()
    {
        // Like the pacers, the receiver asks for SCHED_FIFO: on a shared 2-core box it otherwise waits behind other processes and the kernel drops what it cannot queue.
        ReceiverScheduling = PacerThreadPriority.Raise(realtime: _realtimeReceiver);
        var buffer = new byte[2048];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try { length = _rtp.ReceiveFrom(buffer, SocketFlags.None, from); }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) when (_stop.IsCancellationRequested) { return; }
            catch (SocketException) { continue; }
            if (_srtp)
            {
                // Media can overtake our handling of the 200 that carries its key: those packets are counted apart.
                var port = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(from.Buffer.Span[2..4]);
                if (!_srtpByServerPort.TryGetValue(port, out var srtp))
                {
                    Interlocked.Increment(ref _srtpBeforeKey);
                    continue;
                }
                if (!srtp.TryUnprotectRtp(buffer.AsSpan(0, length), out length))
                {
                    Interlocked.Increment(ref _srtpRejected);
                    continue;
                }
            }
            if (!RtpPacket.TryRead(buffer.AsSpan(0, length), out var p)) continue;
            _inbound.GetOrAdd(p.Ssrc, static _ => new SequenceTracker()).Update(p.Sequence);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _pacer.Dispose();
        _sip.Dispose();
        _rtp.Dispose();
        _sipLoop.Join(TimeSpan.FromSeconds(5));
        _rtpLoop.Join(TimeSpan.FromSeconds(5));
        _inviteSender.Join(TimeSpan.FromSeconds(5));
        _invites.Dispose();
    }

    /// <summary>One load call: its dialog identifiers and an outbound RTP stream (PCMU silence, one DTMF input).</summary>
    public sealed class LoadCall(string callId, string tag, string from, VoiceLoadCaller owner) : IPacedStream
    {
        private readonly byte[] _packet = new byte[RtpPacket.HeaderSize + 160 + SrtpContext.RtpOverhead];
        private readonly uint _ssrc = (uint)Random.Shared.Next();
        private ushort _seq = (ushort)Random.Shared.Next();
        private uint _ts = (uint)Random.Shared.Next();
        private long _ticks;
        private DtmfSender? _digit;
        private uint _digitTs;
        private readonly Queue<char> _digits = new();
        private SocketAddress? _serialized;
        private IPEndPoint? _serializedFor;

        public string CallId { get; } = callId;
        public long Started { get; set; }
        /// <summary>When the INVITE was handed to the sender thread (Started is when that thread sent it).</summary>
        public long Queued { get; set; }
        public long AnsweredAt { get; set; }
        public string? RemoteTag { get; set; }
        public IPEndPoint? RemoteRtp { get; set; }
        /// <summary>Our SRTP sender when the call negotiated RTP/SAVP.</summary>
        public SrtpContext? Srtp { get; set; }
        public TaskCompletionSource<SipMessage> Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Keys digits one after another (RFC 4733), e.g. "1#".</summary>
        public void Key(string digits)
        {
            lock (_digits) foreach (var d in digits) _digits.Enqueue(d);
        }

        public List<SipHeader> Headers(string method, int cseq, string branch, string? toTag) =>
        [
            new("Via", $"SIP/2.0/UDP 127.0.0.1:{owner.SipPort};branch={branch};rport"),
            new("Max-Forwards", "70"),
            new("From", $"<sip:{from}@127.0.0.1>;tag={tag}"),
            new("To", toTag is null ? "<sip:1000@127.0.0.1>" : $"<sip:1000@127.0.0.1>;tag={toTag}"),
            new("Call-ID", CallId),
            new("CSeq", $"{cseq} {method}"),
            new("Contact", $"<sip:load@127.0.0.1:{owner.SipPort}>"),
        ];

        public void OnTick()
        {
            _ticks++;
            var ts = _ts;
            _ts += 160;
            int length;
            if (_digit is null)
                lock (_digits)
                    if (_digits.TryDequeue(out var d)) { _digit = new DtmfSender(d); _digitTs = ts; }
            if (_digit is not null)
            {
                var evt = _digit.Next(out var first);
                RtpPacket.WriteHeader(_packet, first, 101, _seq++, _digitTs, _ssrc);
                evt.Write(_packet.AsSpan(RtpPacket.HeaderSize));
                length = RtpPacket.HeaderSize + 4;
                if (_digit.Finished) _digit = null;
            }
            else
            {
                RtpPacket.WriteHeader(_packet, _ticks == 1, 0, _seq++, ts, _ssrc);
                _packet.AsSpan(RtpPacket.HeaderSize).Fill(0xFF);
                length = RtpPacket.HeaderSize + 160;
            }
            if (Srtp is { } srtp) length = srtp.ProtectRtp(_packet, length);
            // One socket sends to every call's server port: an IPEndPoint would be serialized per packet (a SocketAddress
            // each; the socket caches only the last one), so each call keeps its destination serialized.
            var remote = RemoteRtp!;
            if (!ReferenceEquals(remote, _serializedFor)) (_serialized, _serializedFor) = (remote.Serialize(), remote);
            try { owner._rtp.SendTo(_packet.AsSpan(0, length), SocketFlags.None, _serialized!); }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        }
    }
}

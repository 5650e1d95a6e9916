using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Switchboard.Channels.Rcs;
using Switchboard.Channels.Sms;
using Switchboard.Telephony.Rtp;
using Switchboard.Channels.WhatsApp;

namespace Switchboard.Bench.Fuzz;

/// <summary>What one campaign came to. A crash is the engine process gone or an answer of 500 (an unhandled exception); a hang is a request or a liveness probe unanswered within <see cref="LiveCampaigns.Patience"/>.</summary>
public sealed record CampaignResult(string Name, long Tried, int Crashes, int Hangs, string Detail);

/// <summary>How many inputs each campaign sends.</summary>
public sealed record CampaignSizes(int SipMessages, int MediaPackets, int ChatFrames, int WebhookBodies)
{
    public static CampaignSizes Full => new(100_000, 100_000, 10_000, 100_000);
}

/// <summary>
/// The live fuzz campaigns of issue 14, against a running engine on loopback (<see cref="LiveEngine"/>): mutated SIP over
/// UDP and TCP, garbage and replayed packets at a live call's RTP and RTCP ports, malformed WebSocket frames at /chat,
/// mutated webhook bodies with valid signatures. Between batches a liveness probe (SIP OPTIONS or /healthz) must answer.
/// </summary>
public sealed class LiveCampaigns(LiveEngine engine, string corpora, Action<string>? progress = null)
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = engine.Process.BaseAddress, Timeout = Patience };

    private Mutator Seeds(params string[] targets) =>
        new(targets.SelectMany(t => Mutator.Seeds(Path.Combine(corpora, t))).ToList());

    private async Task<bool> SipAlive()
    {
        using var probe = new SipProbe(engine.Sip);
        using var cts = new CancellationTokenSource(Patience);
        try { return await probe.OptionsAsync(cts.Token); }
        catch (OperationCanceledException) { return false; }
    }

    public async Task<CampaignResult> SipAsync(int count)
    {
        var mutator = Seeds("sip");
        int hangs = 0, udp = 0, tcp = 0, reconnects = 0;
        var dropsBefore = KernelUdpDrops.At(engine.Process.Pid, engine.Sip.Port);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        TcpClient? client = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                var message = mutator.Next();
                if (i % 2 == 0)
                {
                    await socket.SendToAsync(message, SocketFlags.None, engine.Sip);
                    udp++;
                }
                else
                {
                    try
                    {
                        if (client is not { Connected: true })
                        {
                            client?.Dispose();
                            client = new TcpClient();
                            await client.ConnectAsync(engine.Sip);
                            reconnects++;
                            _ = Drain(client);
                        }
                        await client.GetStream().WriteAsync(message);
                        tcp++;
                    }
                    catch (Exception e) when (e is IOException or SocketException)
                    {
                        // The engine closed a connection it could not frame: expected; the next message reconnects.
                        client?.Dispose();
                        client = null;
                    }
                }
                if (i % 1_000 == 999)
                {
                    if (!await SipAlive()) hangs++;
                    progress?.Invoke($"sip {i + 1}/{count}");
                }
            }
        }
        finally
        {
            client?.Dispose();
        }
        if (!await SipAlive()) hangs++;
        return new CampaignResult("SIP over UDP and TCP", udp + tcp, engine.Alive ? 0 : 1, hangs,
            $"{udp} UDP datagrams{Dropped(dropsBefore, KernelUdpDrops.At(engine.Process.Pid, engine.Sip.Port))}, {tcp} TCP writes over {reconnects} connections");
    }

    /// <summary>How many of a UDP campaign's datagrams the kernel dropped before the engine read them, for the detail line.</summary>
    private static string Dropped(long? before, long? after) =>
        before is { } b && after is { } a ? $" ({a - b} dropped by the kernel with the engine's socket buffer full, so {(a - b == 0 ? "all" : "the rest")} read)" : "";

    private static async Task Drain(TcpClient client)
    {
        var buffer = new byte[8192];
        try
        {
            var stream = client.GetStream();
            while (await stream.ReadAsync(buffer) > 0) { }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public async Task<CampaignResult> MediaAsync(int count)
    {
        using var probe = new SipProbe(engine.Sip);
        using var setup = new CancellationTokenSource(Patience);
        var call = await probe.StartCallAsync(setup.Token) ?? throw new InvalidOperationException("The engine did not take the call the media campaign needs.");
        // The caller's phone sends its first packet before the attacker's flood (the kernel queues the call's socket in
        // order), so the call latches to the caller; the flood then plays a stranger who found the port mid-call.
        await probe.SpeaksFirstAsync(call.Media);
        var mutator = Seeds("rtp", "rtcp", "dtmf");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var rtcp = new IPEndPoint(call.Media.Address, call.Media.Port + 1);
        // A genuine packet of this call, replayed over and over (same sequence number and timestamp).
        var replay = new byte[RtpPacket.HeaderSize + 160];
        RtpPacket.WriteHeader(replay, true, 0, 4242, 160_000, 0x5EED);
        replay.AsSpan(RtpPacket.HeaderSize).Fill(0xFF);
        int hangs = 0, garbage = 0, mutated = 0, replayed = 0;
        var dropsBefore = KernelUdpDrops.At(engine.Process.Pid, call.Media.Port, rtcp.Port);
        for (var i = 0; i < count; i++)
        {
            var target = mutator.Below(3) == 0 ? rtcp : call.Media;
            switch (mutator.Below(3))
            {
                case 0:
                    await socket.SendToAsync(mutator.Garbage(1_500), SocketFlags.None, target);
                    garbage++;
                    break;
                case 1:
                    await socket.SendToAsync(mutator.Next(), SocketFlags.None, target);
                    mutated++;
                    break;
                default:
                    await socket.SendToAsync(replay, SocketFlags.None, call.Media);
                    replayed++;
                    break;
            }
            if (i % 5_000 == 4_999)
            {
                if (!await SipAlive()) hangs++;
                progress?.Invoke($"media {i + 1}/{count}");
            }
        }
        var dropsAfter = KernelUdpDrops.At(engine.Process.Pid, call.Media.Port, rtcp.Port);
        // The engine latches its media onto the source of RTP it receives (symmetric RTP): count what reached the attacker's socket.
        var hijacked = 0;
        var buffer = new byte[2048];
        while (socket.Available > 0)
        {
            var n = socket.Receive(buffer);
            if (RtpPacket.TryRead(buffer.AsSpan(0, n), out _)) hijacked++;
        }
        using var bye = new CancellationTokenSource(Patience);
        var hungUp = false;
        try { hungUp = await probe.HangUpAsync(call.CallId, call.ToTag, bye.Token); }
        catch (OperationCanceledException) { }
        if (!hungUp) hangs++;
        return new CampaignResult("RTP/RTCP at a live call", count, engine.Alive ? 0 : 1, hangs,
            $"{garbage} garbage, {mutated} mutated RTP/RTCP/RFC 4733, {replayed} replayed{Dropped(dropsBefore, dropsAfter)}; the call hung up cleanly: {hungUp}; " +
            $"RTP of the call that reached the sending (attacker's) socket: {hijacked} packets");
    }

    public async Task<CampaignResult> ChatAsync(int count)
    {
        var mutator = new Mutator(
        [
            """{"type":"message","id":"f1","text":"hello"}"""u8.ToArray(),
            """{"type":"choice","id":"f2","optionId":"flight_status","title":"Flight status"}"""u8.ToArray(),
            """{"type":"link","id":"f3","code":"123456"}"""u8.ToArray(),
            """{"type":"typing","id":"f4"}"""u8.ToArray(),
        ]);
        int hangs = 0, crashes = 0, framed = 0, raw = 0, refused = 0, nextProbe = 999;
        ClientWebSocket? socket = null;
        for (var i = 0; i < count; i++)
        {
            try
            {
                if (i % 2 == 0)
                {
                    // Well-framed, malformed content: broken JSON, wrong types, binary frames, oversize text.
                    if (socket is not { State: WebSocketState.Open })
                    {
                        socket?.Dispose();
                        socket = await OpenChatAsync();
                        _ = DrainSocket(socket);
                    }
                    var payload = mutator.Below(20) == 0 ? mutator.Garbage(40_000) : mutator.Next();
                    using var cts = new CancellationTokenSource(Patience);
                    try
                    {
                        await socket.SendAsync(payload, mutator.Below(4) == 0 ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, cts.Token);
                    }
                    catch (OperationCanceledException) when (!cts.IsCancellationRequested)
                    {
                        // The client socket reports a send racing the engine's close (the drain loop saw the close and aborted
                        // the socket) as cancelled, although nothing timed out: the engine closed a socket it would not read on.
                        throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
                    }
                    framed++;
                }
                else
                {
                    // Malformed at the protocol level: random opcodes, masks, lengths, reserved bits.
                    var status = await RawFramesAsync(mutator);
                    if (status >= 500) crashes++;
                    else if (status != 101) refused++;
                    raw++;
                    i += 4;
                }
            }
            catch (OperationCanceledException)
            {
                hangs++;
            }
            catch (Exception e) when (e is WebSocketException or IOException or SocketException)
            {
                // The engine closed a socket it would not read on: expected.
                socket?.Dispose();
                socket = null;
            }
            if (i >= nextProbe)
            {
                nextProbe += 1_000;
                if (!await HealthyAsync()) hangs++;
                progress?.Invoke($"chat {i + 1}/{count}");
            }
        }
        socket?.Dispose();
        return new CampaignResult("WebSocket frames at /chat", count, crashes + (engine.Alive ? 0 : 1), hangs,
            $"{framed} well-framed malformed messages, {raw * 5} protocol-malformed frames in {raw} connections ({refused} upgrades refused)");
    }

    private async Task<ClientWebSocket> OpenChatAsync()
    {
        var cookie = await ChatCookieAsync();
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", cookie);
        using var cts = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(new UriBuilder(engine.Process.BaseAddress) { Scheme = "ws", Path = "/chat/ws" }.Uri, cts.Token);
        return socket;
    }

    private async Task<string> ChatCookieAsync()
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = engine.Process.BaseAddress, Timeout = Patience };
        using var page = await http.GetAsync("/chat");
        return page.Headers.GetValues("Set-Cookie").First().Split(';')[0];
    }

    private static async Task DrainSocket(ClientWebSocket socket)
    {
        var buffer = new byte[65_536];
        try
        {
            while (socket.State == WebSocketState.Open && (await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close) { }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Upgrades by hand, then writes random frame bytes; returns the upgrade's status code.</summary>
    private async Task<int> RawFramesAsync(Mutator mutator)
    {
        var cookie = await ChatCookieAsync();
        using var client = new TcpClient();
        using var cts = new CancellationTokenSource(Patience);
        await client.ConnectAsync(engine.Process.BaseAddress.Host, engine.Process.BaseAddress.Port, cts.Token);
        var stream = client.GetStream();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var upgrade = $"GET /chat/ws HTTP/1.1\r\nHost: {engine.Process.BaseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nCookie: {cookie}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(upgrade), cts.Token);
        var head = new byte[4096];
        var n = await stream.ReadAsync(head, cts.Token);
        var status = int.TryParse(Encoding.ASCII.GetString(head, 0, n).Split(' ') is [_, var code, ..] ? code : "", out var s) ? s : 0;
        if (status != 101) return status;
        try
        {
            // Complete frames as their headers declare them (a frame cut short would only make the engine wait for the rest),
            // with random FIN, reserved bits, opcodes, masks and payloads; then the connection is dropped.
            foreach (var _ in Enumerable.Range(0, 5)) await stream.WriteAsync(Frame(mutator), cts.Token);
        }
        catch (IOException)
        {
            // The engine closed the connection on a protocol error: expected.
        }
        return status;
    }

    private static byte[] Frame(Mutator mutator)
    {
        var payload = mutator.Garbage(mutator.Below(10) == 0 ? 70_000 : 125);
        var masked = mutator.Below(4) != 0;
        var frame = new List<byte> { (byte)mutator.Below(256) };
        var maskBit = masked ? 0x80 : 0;
        if (payload.Length <= 125) frame.Add((byte)(maskBit | payload.Length));
        else if (payload.Length <= ushort.MaxValue) frame.AddRange([(byte)(maskBit | 126), (byte)(payload.Length >> 8), (byte)payload.Length]);
        else
        {
            frame.Add((byte)(maskBit | 127));
            for (var shift = 56; shift >= 0; shift -= 8) frame.Add((byte)((long)payload.Length >> shift));
        }
        if (masked) frame.AddRange(mutator.Garbage(4).Concat(new byte[4]).Take(4));
        frame.AddRange(payload);
        return [.. frame];
    }

    private async Task<bool> HealthyAsync()
    {
        try { return (await _http.GetAsync("/healthz")).IsSuccessStatusCode; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    }

    public async Task<CampaignResult> WebhooksAsync(int count, int concurrency = 16)
    {
        var whatsapp = Seeds("whatsapp");
        var sms = Seeds("sms");
        var rcs = Seeds("rcs");
        int crashes = 0, hangs = 0, sent = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var gate = new object();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            await Task.Yield();
            while (true)
            {
                int i;
                byte[] body;
                HttpRequestMessage request;
                lock (gate)
                {
                    if (sent >= count) return;
                    i = sent++;
                    (body, request) = (i % 3) switch
                    {
                        0 => WhatsAppRequest(whatsapp.Next()),
                        1 => SmsRequest(sms.Next()),
                        _ => RcsRequest(rcs.Next()),
                    };
                }
                using (request)
                {
                    try
                    {
                        using var response = await _http.SendAsync(request);
                        statuses.AddOrUpdate((int)response.StatusCode, 1, (_, c) => c + 1);
                        if ((int)response.StatusCode == 500)
                        {
                            Interlocked.Increment(ref crashes);
                            // Kept to be replayed through the fuzz target of that webhook.
                            var kept = Path.Combine(Path.GetTempPath(), "switchboard-live-findings");
                            Directory.CreateDirectory(kept);
                            File.WriteAllBytes(Path.Combine(kept, $"{request.RequestUri!.OriginalString.Split('/')[^1]}-{i}.bin"), body);
                            progress?.Invoke($"500 from {request.RequestUri}: body kept in {kept}");
                        }
                    }
                    catch (TaskCanceledException)
                    {
                        Interlocked.Increment(ref hangs);
                    }
                    catch (HttpRequestException)
                    {
                        if (!engine.Alive) Interlocked.Increment(ref crashes);
                    }
                }
                if (i % 5_000 == 4_999) progress?.Invoke($"webhooks {i + 1}/{count}");
            }
        }));
        var seen = string.Join(", ", statuses.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}"));
        return new CampaignResult("webhook bodies, validly signed", count, crashes + (engine.Alive ? 0 : 1), hangs, "statuses " + seen);
    }

    private static (byte[], HttpRequestMessage) WhatsAppRequest(byte[] body)
    {
        var request = Post("/webhooks/whatsapp", body, "application/json");
        request.Headers.Add(WhatsAppSignature.Header, WhatsAppSignature.Sign(LiveEngine.AppSecret, body));
        return (body, request);
    }

    private (byte[], HttpRequestMessage) SmsRequest(byte[] body)
    {
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)).Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToString())).ToList();
        var request = Post("/webhooks/sms", body, "application/x-www-form-urlencoded");
        request.Headers.Add(TwilioSignature.Header, TwilioSignature.Compute(LiveEngine.SmsToken, engine.SmsUrl, form));
        return (body, request);
    }

    private static (byte[], HttpRequestMessage) RcsRequest(byte[] body)
    {
        var request = Post("/webhooks/rcs", body, "application/json");
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object
                && m.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String)
                request.Headers.Add(RcsWebhook.SignatureHeader, RcsWebhook.Sign(LiveEngine.RcsToken, Convert.FromBase64String(d.GetString()!)));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
        }
        return (body, request);
    }

    private static HttpRequestMessage Post(string path, byte[] body, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var ct) ? ct : null;
        return request;
    }

    /// <summary>After the campaigns: the engine still answers OPTIONS, /healthz, and takes a real call end to end.</summary>
    public async Task<(bool Options, bool Health, bool Call)> StillServesAsync()
    {
        var options = await SipAlive();
        var health = await HealthyAsync();
        using var probe = new SipProbe(engine.Sip);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = false;
        try { call = await probe.RealCallAsync(cts.Token); }
        catch (OperationCanceledException) { }
        return (options, health, call);
    }
}

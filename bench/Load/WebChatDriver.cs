using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.Bench.Load;

/// <summary>
/// Web chat visitors over WebSocket, as the page does: <c>GET /chat</c> sets the visitor cookie, <c>/chat/ws</c> carries
/// <c>{"type":"message","id","text"}</c> frames, and a turn ends at the engine's reply naming that frame (<c>replyTo</c>; an <c>ack</c> for a frame it already answered). A broken
/// socket reconnects (on the next address) and sends the same frame id again: the engine answers it once.
/// </summary>
public sealed class WebChatDriver(int sessions)
{
    public ChannelStats Stats { get; } = new("webchat");

    public Task RunAsync(LoadTarget target, Stopwatch clock, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, sessions).Select(s => Task.Run(() => Visitor(target, s, clock, stop))));

    private async Task Visitor(LoadTarget target, int session, Stopwatch clock, CancellationToken stop)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies }) { Timeout = TimeSpan.FromSeconds(15) };
        var turn = 0;
        var attempt = session;
        ClientWebSocket? socket = null;
        while (!stop.IsCancellationRequested)
        {
            var baseUrl = target.Http[attempt % target.Http.Count];
            var id = $"t{turn}";
            var start = Stopwatch.GetTimestamp();
            try
            {
                socket ??= await Connect(http, cookies, baseUrl);
                var frame = JsonSerializer.SerializeToUtf8Bytes(new { type = "message", id, text = Webhooks.LoadShape.Texts[turn % Webhooks.LoadShape.Texts.Length] });
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await AwaitAck(socket, id, wait.Token);
                Stats.Answered(Stopwatch.GetTimestamp() - start, clock.Elapsed.TotalSeconds);
                turn++;
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or IOException)
            {
                Stats.Failed();
                socket?.Dispose();
                socket = null;
                attempt++;
                if (!stop.IsCancellationRequested) Stats.Retried();
                await Task.Delay(250, CancellationToken.None);
            }
        }
        if (socket is not null)
        {
            try { await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None); }
            catch (WebSocketException) { }
            socket.Dispose();
        }
    }

    private static async Task<ClientWebSocket> Connect(HttpClient http, CookieContainer cookies, Uri baseUrl)
    {
        using (var page = await http.GetAsync(new Uri(baseUrl, "chat"))) page.EnsureSuccessStatusCode();
        var socket = new ClientWebSocket();
        socket.Options.Cookies = cookies;
        var ws = new UriBuilder(new Uri(baseUrl, "chat/ws")) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(ws, CancellationToken.None);
        return socket;
    }

    private static async Task AwaitAck(ClientWebSocket socket, string id, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult r;
            do
            {
                r = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                if (r.MessageType == WebSocketMessageType.Close) throw new WebSocketException("closed by the engine");
                length += r.Count;
            } while (!r.EndOfMessage && length < buffer.Length);
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
            var root = doc.RootElement;
            var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
            var replyTo = root.TryGetProperty("replyTo", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : null;
            if (type == "error" && (replyTo == id || replyTo is null)) throw new WebSocketException("error frame: " + Encoding.UTF8.GetString(buffer, 0, Math.Min(length, 200)));
            // The rendered reply names the frame it answers; a repeated frame id gets an ack instead.
            if (replyTo == id) return;
        }
    }
}

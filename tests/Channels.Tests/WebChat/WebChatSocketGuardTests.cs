using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests.WebChat;

/// <summary>Who may open the chat socket (the engine's own page, configured origins, non-browser clients) and how fast a visitor may send.</summary>
public sealed class WebChatSocketGuardTests
{
    private const string Partner = "https://shop.partner.example";

    private static Task<SiloApp> Start(int framesPerMinute = 60, int socketsPerVisitor = 8) => Wire.StartAsync(null, new()
    {
        ["WebChat:AllowedOrigins:0"] = Partner,
        ["WebChat:MaxFramesPerMinute"] = framesPerMinute.ToString(),
        ["WebChat:MaxSocketsPerVisitor"] = socketsPerVisitor.ToString(),
    });

    /// <summary>The visitor cookie a fresh /chat visit sets (a client that does not keep cookies gets its own).</summary>
    private static async Task<string> NewVisitor(SiloApp silo)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = silo.BaseAddress };
        using var page = await http.GetAsync("/chat");
        return page.Headers.GetValues("Set-Cookie").First().Split(';')[0];
    }

    /// <summary>Opens /chat for the visitor cookie, then the socket with the given Origin header (none when null).</summary>
    private static async Task<ClientWebSocket> Connect(SiloApp silo, string? origin, string? visitorCookie = null)
    {
        var cookie = visitorCookie ?? await NewVisitor(silo);
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", cookie);
        if (origin is not null) socket.Options.SetRequestHeader("Origin", origin);
        var uri = new UriBuilder(silo.BaseAddress) { Scheme = "ws", Path = "/chat/ws" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        return socket;
    }

    private static async Task<JsonObject> Receive(ClientWebSocket socket, Func<JsonObject, bool> wanted)
    {
        var buffer = new byte[64 * 1024];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, deadline.Token);
            var frame = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count))!.AsObject();
            if (wanted(frame)) return frame;
        }
    }

    [Fact]
    public async Task A_page_on_another_site_cannot_open_the_chat_socket()
    {
        await using var silo = await Start();
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => Connect(silo, "https://evil.example"));
        Assert.Contains("403", refused.Message);
    }

    [Fact]
    public async Task The_engines_own_page_a_configured_origin_and_a_non_browser_client_may_open_it()
    {
        await using var silo = await Start();
        foreach (var origin in new[] { silo.BaseAddress.GetLeftPart(UriPartial.Authority), Partner, null })
        {
            using var socket = await Connect(silo, origin);
            var history = await Receive(socket, f => f["type"]?.ToString() == "history");
            Assert.NotNull(history["turns"]);
        }
    }

    [Fact]
    public async Task A_visitor_sending_faster_than_the_limit_is_told_to_slow_down_and_that_frame_is_not_processed()
    {
        await using var silo = await Start(framesPerMinute: 3);
        using var socket = await Connect(silo, null);
        await Receive(socket, f => f["type"]?.ToString() == "history");
        for (var i = 1; i <= 4; i++)
            await socket.SendAsync(Encoding.UTF8.GetBytes(new JsonObject { ["type"] = "typing", ["id"] = $"f{i}" }.ToJsonString()),
                WebSocketMessageType.Text, true, CancellationToken.None);
        var error = await Receive(socket, f => f["type"]?.ToString() == "error");
        Assert.Contains("Too many messages", error["message"]!.ToString());
    }

    /// <summary>A frame the engine answers at once without a turn: a message without text gets a validation error.</summary>
    private static Task SendEmptyMessage(ClientWebSocket socket, string id) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(new JsonObject { ["type"] = "message", ["id"] = id, ["text"] = "" }.ToJsonString()),
            WebSocketMessageType.Text, true, CancellationToken.None);

    [Fact]
    public async Task A_visitors_frame_budget_is_shared_by_all_its_sockets_while_another_visitor_keeps_its_own()
    {
        await using var silo = await Start(framesPerMinute: 3);
        var visitor = await NewVisitor(silo);
        var sockets = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var socket = await Connect(silo, null, visitor);
                sockets.Add(socket);
                await Receive(socket, f => f["type"]?.ToString() == "history");
            }
            // One frame on each of three sockets, each answered before the next: per-socket buckets would never run dry.
            for (var i = 0; i < 3; i++)
            {
                await SendEmptyMessage(sockets[i], $"f{i}");
                var answered = await Receive(sockets[i], f => f["type"]?.ToString() == "error");
                Assert.DoesNotContain("Too many messages", answered["message"]!.ToString());
            }
            // The fourth socket has sent nothing, yet the visitor's bucket is empty.
            await SendEmptyMessage(sockets[3], "f3");
            var error = await Receive(sockets[3], f => f["type"]?.ToString() == "error");
            Assert.Contains("Too many messages", error["message"]!.ToString());

            // Another visitor has its own bucket.
            using var other = await Connect(silo, null);
            await Receive(other, f => f["type"]?.ToString() == "history");
            await SendEmptyMessage(other, "x1");
            var answer = await Receive(other, f => f["type"]?.ToString() == "error");
            Assert.DoesNotContain("Too many messages", answer["message"]!.ToString());
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }

    [Fact]
    public async Task A_visitor_past_its_socket_limit_is_refused_with_429_and_may_open_one_again_after_closing_one()
    {
        await using var silo = await Start(socketsPerVisitor: 2);
        var visitor = await NewVisitor(silo);
        using var first = await Connect(silo, null, visitor);
        await Receive(first, f => f["type"]?.ToString() == "history");
        var second = await Connect(silo, null, visitor);
        await Receive(second, f => f["type"]?.ToString() == "history");

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => Connect(silo, null, visitor));
        Assert.Contains("429", refused.Message);
        using var stranger = await Connect(silo, null);
        await Receive(stranger, f => f["type"]?.ToString() == "history");

        // Closing a socket gives its place back as the engine's handler for it returns, just after it answers the close.
        await second.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        second.Dispose();
        ClientWebSocket? third = null;
        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            try { third = await Connect(silo, null, visitor); return true; }
            catch (WebSocketException e) when (e.Message.Contains("429")) { return false; }
        }, TimeSpan.FromSeconds(30)));
        using (third) await Receive(third!, f => f["type"]?.ToString() == "history");
    }

    [Fact]
    public async Task The_chat_page_is_served_with_security_headers()
    {
        await using var silo = await Start();
        using var page = await silo.Http.GetAsync("/chat");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("default-src 'self'", csp);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
    }
}

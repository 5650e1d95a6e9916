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

    private static Task<SiloApp> Start(int framesPerMinute = 60) => Wire.StartAsync(null, new()
    {
        ["WebChat:AllowedOrigins:0"] = Partner,
        ["WebChat:MaxFramesPerMinute"] = framesPerMinute.ToString(),
    });

    /// <summary>Opens /chat for the visitor cookie, then the socket with the given Origin header (none when null).</summary>
    private static async Task<ClientWebSocket> Connect(SiloApp silo, string? origin)
    {
        // A new visitor each time: a client that does not keep cookies gets its own Set-Cookie.
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = silo.BaseAddress };
        using var page = await http.GetAsync("/chat");
        var cookie = page.Headers.GetValues("Set-Cookie").First().Split(';')[0];
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

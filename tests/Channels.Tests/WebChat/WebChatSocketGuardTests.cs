using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.WebChat;
using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests.WebChat;

/// <summary>Who may open the chat socket (the engine's own page, configured origins, non-browser clients) and how fast a visitor may send.</summary>
public sealed class WebChatSocketGuardTests
{
    private const string Partner = "https://shop.partner.example";

    /// <param name="perAddress">Per-address limits (frames a minute, sockets), counting this host's loopback address; null leaves the defaults, loopback exempt.</param>
    private static Task<SiloApp> Start(int framesPerMinute = 60, int socketsPerVisitor = 8, (int Frames, int Sockets)? perAddress = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["WebChat:AllowedOrigins:0"] = Partner,
            ["WebChat:MaxFramesPerMinute"] = framesPerMinute.ToString(),
            ["WebChat:MaxSocketsPerVisitor"] = socketsPerVisitor.ToString(),
        };
        if (perAddress is var (frames, sockets))
        {
            settings["WebChat:PerAddress:MaxFramesPerMinute"] = frames.ToString();
            settings["WebChat:PerAddress:MaxSockets"] = sockets.ToString();
            settings["WebChat:PerAddress:ExemptLoopback"] = "false";
        }
        return Wire.StartAsync(null, settings);
    }

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

    /// <summary>Opens <paramref name="count"/> sockets into <paramref name="sockets"/> (all for one visitor, or each a fresh one when null), each past its history.</summary>
    private static async Task OpenInto(List<ClientWebSocket> sockets, SiloApp silo, int count, string? visitorCookie)
    {
        for (var i = 0; i < count; i++)
        {
            var socket = await Connect(silo, null, visitorCookie);
            sockets.Add(socket);
            await Receive(socket, f => f["type"]?.ToString() == "history");
        }
    }

    /// <summary>Sends a frame the engine answers at once; true when the answer is "too many messages" (the frame was not processed).</summary>
    private static async Task<bool> RefusedAsTooMany(ClientWebSocket socket, string id)
    {
        await SendEmptyMessage(socket, id);
        var answer = await Receive(socket, f => f["type"]?.ToString() == "error");
        return answer["message"]!.ToString().Contains("Too many messages");
    }

    [Fact]
    public async Task A_visitors_frame_budget_is_shared_by_all_its_sockets_while_another_visitor_keeps_its_own()
    {
        await using var silo = await Start(framesPerMinute: 3);
        var visitor = await NewVisitor(silo);
        var sockets = new List<ClientWebSocket>();
        try
        {
            await OpenInto(sockets, silo, 4, visitor);
            // One frame on each of three sockets, each answered before the next: per-socket buckets would never run dry.
            for (var i = 0; i < 3; i++) Assert.False(await RefusedAsTooMany(sockets[i], $"f{i}"));
            // The fourth socket has sent nothing, yet the visitor's bucket is empty.
            Assert.True(await RefusedAsTooMany(sockets[3], "f3"));

            // Another visitor has its own bucket.
            await OpenInto(sockets, silo, 1, null);
            Assert.False(await RefusedAsTooMany(sockets[4], "x1"));
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
    public async Task Visitors_from_one_address_share_its_frame_budget_so_new_cookies_buy_no_more_frames()
    {
        await using var silo = await Start(framesPerMinute: 60, perAddress: (Frames: 3, Sockets: 100));
        var sockets = new List<ClientWebSocket>();
        try
        {
            // Four visitors (four fresh cookies) from the same address, one frame each: well inside each visitor's 60.
            await OpenInto(sockets, silo, 4, null);
            for (var i = 0; i < 3; i++) Assert.False(await RefusedAsTooMany(sockets[i], $"a{i}"));
            Assert.True(await RefusedAsTooMany(sockets[3], "a3"));
            Assert.Equal(1, silo.App.Services.GetRequiredService<WebChatVisitorLimits>().AddressRefusals);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }

    [Fact]
    public async Task An_address_past_its_socket_limit_is_refused_with_429_whatever_cookie_it_brings()
    {
        await using var silo = await Start(socketsPerVisitor: 8, perAddress: (Frames: 600, Sockets: 2));
        using var first = await Connect(silo, null);
        await Receive(first, f => f["type"]?.ToString() == "history");
        using var second = await Connect(silo, null);
        await Receive(second, f => f["type"]?.ToString() == "history");

        // A third visitor (its own fresh cookie, nowhere near its own limit of 8) from the same address.
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => Connect(silo, null));
        Assert.Contains("429", refused.Message);
        // The refusal names the address limit, not the visitor's.
        using var plain = new HttpClient { BaseAddress = silo.BaseAddress };
        using var upgrade = new HttpRequestMessage(HttpMethod.Get, "/chat/ws");
        upgrade.Headers.Add("Cookie", await NewVisitor(silo));
        upgrade.Headers.Add("Connection", "Upgrade");
        upgrade.Headers.Add("Upgrade", "websocket");
        upgrade.Headers.Add("Sec-WebSocket-Version", "13");
        upgrade.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
        using var answer = await plain.SendAsync(upgrade);
        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        Assert.Contains("too-many-sockets-from-address", await answer.Content.ReadAsStringAsync());
        Assert.NotNull(answer.Headers.RetryAfter);
        Assert.Equal(2, silo.App.Services.GetRequiredService<WebChatVisitorLimits>().AddressRefusals);
    }

    [Fact]
    public async Task This_hosts_own_address_is_not_counted_by_default()
    {
        // Per-address limits at their defaults except the frame budget, with loopback exempt as shipped.
        await using var silo = await Wire.StartAsync(null, new() { ["WebChat:PerAddress:MaxFramesPerMinute"] = "1" });
        var sockets = new List<ClientWebSocket>();
        try
        {
            await OpenInto(sockets, silo, 3, null);
            for (var i = 0; i < 3; i++) Assert.False(await RefusedAsTooMany(sockets[i], $"l{i}"));
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
        Assert.Equal(0, silo.App.Services.GetRequiredService<WebChatVisitorLimits>().AddressRefusals);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void An_address_is_counted_as_itself_for_IPv4_and_by_its_64_for_IPv6(string address, string key) =>
        Assert.Equal(key, WebChatClientAddress.KeyOf(IPAddress.Parse(address), new()));

    [Fact]
    public void Loopback_and_an_unknown_peer_are_not_counted_unless_loopback_is_asked_for()
    {
        var shipped = new WebChatOptions.PerAddressLimits();
        Assert.Null(WebChatClientAddress.KeyOf(IPAddress.Loopback, shipped));
        Assert.Null(WebChatClientAddress.KeyOf(IPAddress.IPv6Loopback, shipped));
        Assert.Null(WebChatClientAddress.KeyOf(null, shipped));
        var counted = new WebChatOptions.PerAddressLimits { ExemptLoopback = false };
        Assert.Equal("127.0.0.1", WebChatClientAddress.KeyOf(IPAddress.Loopback, counted));
    }

    [Fact]
    public void Per_address_limits_out_of_range_stop_the_start_with_the_setting_named()
    {
        var options = new WebChatOptions { PerAddress = { MaxSockets = 0 } };
        Assert.Contains("WebChat:PerAddress:MaxSockets", Assert.Throws<InvalidOperationException>(options.Validate).Message);
        options = new WebChatOptions { PerAddress = { MaxFramesPerMinute = 0 } };
        Assert.Contains("WebChat:PerAddress:MaxFramesPerMinute", Assert.Throws<InvalidOperationException>(options.Validate).Message);
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

using System.Net.WebSockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Tenancy;

namespace Switchboard.Channels.WebChat;

/// <summary>
/// <c>GET /chat</c>: the page (plain HTML/JS from the assembly), which sets the visitor cookie and, with <c>?token=</c>,
/// joins the visitor to the customer the session token names ("continue on web"). <c>GET /chat/ws</c>: the WebSocket.
/// </summary>
public static class WebChatEndpoints
{
    public const string PagePath = "/chat";
    public const string SocketPath = "/chat/ws";

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(WebChatEndpoints).Assembly.GetManifestResourceStream("Switchboard.Channels.WebChat.chat.html")
            ?? throw new InvalidOperationException("The web chat page is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static WebApplication MapWebChat(this WebApplication app)
    {
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.MapGet(PagePath, ServePage);
        app.MapGet(SocketPath, Connect);
        return app;
    }

    private static async Task<IResult> ServePage(HttpContext http, string? token, string? site, WebChatOptions options, TenantDirectory tenants, IGrainFactory grains, ILoggerFactory loggers)
    {
        var visitor = EnsureVisitor(http, options);
        if (!string.IsNullOrEmpty(token))
        {
            var tenant = tenants.ForEndpoint(Channel.WebChat, site);
            var customerId = token.Length <= 2048
                ? await ConversationIngress.For(grains, visitor).JoinWithSessionToken(tenant.Id, token, new ChannelAddress(AddressKind.WebVisitor, visitor))
                : null;
            loggers.CreateLogger(typeof(WebChatEndpoints).FullName!).LogInformation(
                customerId is null ? "Web chat link with an invalid or expired token" : "Web chat visitor joined customer {CustomerId} by session token", customerId);
            // The token leaves the address bar (and the browser history) at once.
            var back = PagePath + (string.IsNullOrEmpty(site) ? "" : "?site=" + Uri.EscapeDataString(site));
            if (customerId is null) back += (back.Contains('?') ? "&" : "?") + "link=expired";
            return Results.Redirect(back);
        }
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Content-Security-Policy"] =
            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.XFrameOptions = "DENY";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        return Results.Bytes(Page.Value, "text/html; charset=utf-8");
    }

    private static async Task Connect(HttpContext http, string? site, WebChatOptions options, WebChatVisitorLimits limits, TenantDirectory tenants,
        IGrainFactory grains, OutboxClient outbox, TimeProvider time, ILoggerFactory loggers)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Problems.BadRequest("not-websocket", "Connect with a WebSocket.").ExecuteAsync(http);
            return;
        }
        var origin = http.Request.Headers.Origin.ToString();
        if (!options.AllowsOrigin(origin, $"{http.Request.Scheme}://{http.Request.Host}"))
        {
            loggers.CreateLogger(typeof(WebChatEndpoints).FullName!).LogWarning("Web chat socket from a page on another origin refused");
            await Problems.Make(StatusCodes.Status403Forbidden, "origin-not-allowed", "This page may not open the chat.",
                "Add the page's origin to WebChat:AllowedOrigins.").ExecuteAsync(http);
            return;
        }
        var visitor = http.Request.Cookies[options.CookieName];
        if (!IsVisitorId(visitor))
        {
            await Problems.Unauthorized("Open /chat first: it sets the visitor cookie.").ExecuteAsync(http);
            return;
        }
        var address = WebChatClientAddress.KeyOf(http.Connection.RemoteIpAddress, options.PerAddress);
        using var held = limits.TryOpenSocket(visitor!, address, out var addressFull);
        if (held is null)
        {
            http.Response.Headers.RetryAfter = "5";
            await (addressFull
                ? Problems.Make(StatusCodes.Status429TooManyRequests, "too-many-sockets-from-address", "Too many chat windows are open from this network address.",
                    $"Close one (at most {options.PerAddress.MaxSockets} at once, WebChat:PerAddress:MaxSockets).")
                : Problems.Make(StatusCodes.Status429TooManyRequests, "too-many-sockets", "Too many chat windows are open for this visitor.",
                    $"Close one (at most {options.MaxSocketsPerVisitor} at once, WebChat:MaxSocketsPerVisitor).")).ExecuteAsync(http);
            return;
        }
        var tenant = tenants.ForEndpoint(Channel.WebChat, site);
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var logger = loggers.CreateLogger(typeof(WebChatSession).FullName!);
        var session = new WebChatSession(socket, tenant, visitor!, address, grains, http.RequestServices.GetRequiredService<TurnCalls>(), outbox, options, limits, time, logger);
        try
        {
            await session.RunAsync(http.RequestAborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The visitor went away; the browser reconnects and the conversation resumes.
        }
    }

    private static string EnsureVisitor(HttpContext http, WebChatOptions options)
    {
        var existing = http.Request.Cookies[options.CookieName];
        if (IsVisitorId(existing)) return existing!;
        var id = "v" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        http.Response.Cookies.Append(options.CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = PagePath,
            MaxAge = options.VisitorLifetime,
            IsEssential = true,
        });
        return id;
    }

    private static bool IsVisitorId(string? v) => v is { Length: 33 } && v[0] == 'v' && v.Skip(1).All(char.IsAsciiHexDigitLower);
}

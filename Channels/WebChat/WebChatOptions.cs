namespace Switchboard.Channels.WebChat;

/// <summary>Section <c>WebChat</c>.</summary>
public sealed class WebChatOptions
{
    public const string Section = "WebChat";

    public string CookieName { get; set; } = "sb_visitor";
    /// <summary>How long the visitor cookie lasts (the conversation resumes within it).</summary>
    public TimeSpan VisitorLifetime { get; set; } = TimeSpan.FromDays(30);
    public int MaxFrameBytes { get; set; } = 16 * 1024;
    public int MaxTextLength { get; set; } = 2000;
    /// <summary>Transcript turns sent to a (re)connecting visitor.</summary>
    public int HistoryTurns { get; set; } = 50;
    public TimeSpan CallCodeLifetime { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>
    /// Origins (<c>https://shop.example.com</c>) whose pages may open the chat socket besides the engine's own: a browser
    /// on any other site is refused, so a page elsewhere cannot ride on a visitor's cookie (cross-site WebSocket hijacking).
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];
    /// <summary>Frames a visitor may send per minute, over all its sockets together; past it a frame is answered "slow down" and not processed.</summary>
    public int MaxFramesPerMinute { get; set; } = 60;
    /// <summary>Sockets one visitor may hold open at once (tabs, reconnects overlapping a dying socket); one more is refused with 429.</summary>
    public int MaxSocketsPerVisitor { get; set; } = 8;
    /// <summary>
    /// Limits per browser address over all its visitors, so a client cannot buy more budget by inventing visitor cookies
    /// (a cookie is only a random id, and each new one is a new customer).
    /// </summary>
    public PerAddressLimits PerAddress { get; set; } = new();

    /// <summary>Section <c>WebChat:PerAddress</c>. Generous defaults: an office or a mobile carrier puts many people behind one address.</summary>
    public sealed class PerAddressLimits
    {
        /// <summary>Frames per minute from one address over all its visitors and sockets (600: ten visitors at their own limit).</summary>
        public int MaxFramesPerMinute { get; set; } = 600;
        /// <summary>Sockets open at once from one address; one more is refused with 429 <c>too-many-sockets-from-address</c>.</summary>
        public int MaxSockets { get; set; } = 256;
        /// <summary>This host's own address (127.0.0.0/8, ::1) is not counted: health checks and load tools on the host.</summary>
        public bool ExemptLoopback { get; set; } = true;
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CookieName) || !CookieName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            throw new InvalidOperationException("WebChat:CookieName must be letters, digits, _ and -.");
        if (MaxFrameBytes is < 256 or > 1024 * 1024) throw new InvalidOperationException("WebChat:MaxFrameBytes must be 256 B to 1 MB.");
        if (MaxTextLength is < 1 or > 16 * 1024) throw new InvalidOperationException("WebChat:MaxTextLength must be 1 to 16384.");
        if (HistoryTurns is < 0 or > 200) throw new InvalidOperationException("WebChat:HistoryTurns must be 0 to 200.");
        if (VisitorLifetime <= TimeSpan.Zero) throw new InvalidOperationException("WebChat:VisitorLifetime must be positive.");
        if (MaxFramesPerMinute is < 1 or > 6000) throw new InvalidOperationException("WebChat:MaxFramesPerMinute must be 1 to 6000.");
        if (MaxSocketsPerVisitor is < 1 or > 100) throw new InvalidOperationException("WebChat:MaxSocketsPerVisitor must be 1 to 100.");
        if (PerAddress.MaxFramesPerMinute is < 1 or > 600_000) throw new InvalidOperationException("WebChat:PerAddress:MaxFramesPerMinute must be 1 to 600000.");
        if (PerAddress.MaxSockets is < 1 or > 1_000_000) throw new InvalidOperationException("WebChat:PerAddress:MaxSockets must be 1 to 1000000.");
        foreach (var origin in AllowedOrigins)
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.AbsolutePath != "/" || origin.EndsWith('/'))
                throw new InvalidOperationException($"WebChat:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port], no path).");
    }

    /// <summary>Whether a socket request from a page at <paramref name="origin"/> may open, the engine itself being <paramref name="self"/>.</summary>
    public bool AllowsOrigin(string? origin, string self)
    {
        // Browsers always send Origin on a WebSocket upgrade; a client without one is not a browser page.
        if (string.IsNullOrEmpty(origin)) return true;
        return string.Equals(origin, self, StringComparison.OrdinalIgnoreCase)
            || AllowedOrigins.Any(o => string.Equals(o, origin, StringComparison.OrdinalIgnoreCase));
    }
}

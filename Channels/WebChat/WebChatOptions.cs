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

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CookieName) || !CookieName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            throw new InvalidOperationException("WebChat:CookieName must be letters, digits, _ and -.");
        if (MaxFrameBytes is < 256 or > 1024 * 1024) throw new InvalidOperationException("WebChat:MaxFrameBytes must be 256 B to 1 MB.");
        if (MaxTextLength is < 1 or > 16 * 1024) throw new InvalidOperationException("WebChat:MaxTextLength must be 1 to 16384.");
        if (HistoryTurns is < 0 or > 200) throw new InvalidOperationException("WebChat:HistoryTurns must be 0 to 200.");
        if (VisitorLifetime <= TimeSpan.Zero) throw new InvalidOperationException("WebChat:VisitorLifetime must be positive.");
    }
}

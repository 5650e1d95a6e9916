namespace Switchboard.Channels.WhatsApp;

/// <summary>Section <c>WhatsApp</c>. With no <see cref="AccessToken"/> outbound messages stay in the local outbox.</summary>
public sealed class WhatsAppOptions
{
    public const string Section = "WhatsApp";

    /// <summary>The Meta app secret: verifies <c>X-Hub-Signature-256</c>. Without it the webhook answers 503.</summary>
    public string? AppSecret { get; set; }
    /// <summary>What Meta must send as <c>hub.verify_token</c> in the subscription handshake.</summary>
    public string? VerifyToken { get; set; }
    /// <summary>The Graph API bearer token; empty means "no API": replies go to the local outbox.</summary>
    public string? AccessToken { get; set; }
    /// <summary>The sending phone-number id when a message has none of its own (replies go from the number written to).</summary>
    public string? PhoneNumberId { get; set; }
    public string ApiBaseUrl { get; set; } = "https://graph.facebook.com";
    public string ApiVersion { get; set; } = "v21.0";
    public int MaxBodyBytes { get; set; } = 256 * 1024;
    /// <summary>Words that revoke marketing consent when a message is exactly one of them (case-insensitive).</summary>
    public List<string> OptOutKeywords { get; set; } = ["STOP", "UNSUBSCRIBE"];
    public List<string> OptInKeywords { get; set; } = ["START"];
    /// <summary>Sends per second per business number (Meta's default tier allows 80).</summary>
    public int MaxSendsPerSecond { get; set; } = 80;
    /// <summary>In-call retries on 429/5xx before the outbox takes over with its longer backoff.</summary>
    public int SendRetries { get; set; } = 2;
    public TimeSpan SendRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long the call code printed beside a call button stays valid.</summary>
    public TimeSpan CallCodeLifetime { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>How long a "continue on web" link works.</summary>
    public TimeSpan WebLinkLifetime { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Base of "continue on web" links (e.g. https://chat.example.com); the webhook's own host when empty.</summary>
    public string? PublicBaseUrl { get; set; }

    public bool HasApi => !string.IsNullOrWhiteSpace(AccessToken);

    public void Validate()
    {
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var api) || (api.Scheme != "https" && api.Scheme != "http"))
            throw new InvalidOperationException("WhatsApp:ApiBaseUrl must be an absolute http(s) URL.");
        if (string.IsNullOrWhiteSpace(ApiVersion) || !ApiVersion.StartsWith('v'))
            throw new InvalidOperationException("WhatsApp:ApiVersion looks like v21.0.");
        if (AppSecret is { Length: > 0 and < 8 }) throw new InvalidOperationException("WhatsApp:AppSecret is too short to be a Meta app secret.");
        if (MaxBodyBytes is < 1024 or > 16 * 1024 * 1024) throw new InvalidOperationException("WhatsApp:MaxBodyBytes must be 1 KB to 16 MB.");
        // Meta's highest tier is 1,000/s per number; more only makes sense against a stand-in (load tests).
        if (MaxSendsPerSecond is < 1 or > 100_000) throw new InvalidOperationException("WhatsApp:MaxSendsPerSecond must be 1 to 100000.");
        if (SendRetries is < 0 or > 10) throw new InvalidOperationException("WhatsApp:SendRetries must be 0 to 10.");
        if (SendRetryDelay <= TimeSpan.Zero || SendTimeout <= TimeSpan.Zero) throw new InvalidOperationException("WhatsApp:SendRetryDelay and SendTimeout must be positive.");
        if (PublicBaseUrl is { Length: > 0 } && !Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out _))
            throw new InvalidOperationException("WhatsApp:PublicBaseUrl must be an absolute URL.");
    }
}

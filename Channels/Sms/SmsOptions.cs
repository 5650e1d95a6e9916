namespace Switchboard.Channels.Sms;

/// <summary>
/// Section <c>Sms</c>. The first provider format is Twilio's (form-encoded webhooks signed with <c>X-Twilio-Signature</c>,
/// REST sends with basic auth). With no <see cref="AuthToken"/> the webhook answers 503; with no <see cref="AccountSid"/>
/// outbound stays in the local outbox.
/// </summary>
public sealed class SmsOptions
{
    public const string Section = "Sms";

    public string? AuthToken { get; set; }
    public string? AccountSid { get; set; }
    public string ApiBaseUrl { get; set; } = "https://api.twilio.com";
    /// <summary>The sending number when the reply has none of its own (replies go from the number written to).</summary>
    public string? From { get; set; }
    /// <summary>The public URL the provider posts to, as it signs it; the request's own URL when empty (fine without a proxy).</summary>
    public string? WebhookUrl { get; set; }
    public int MaxBodyBytes { get; set; } = 64 * 1024;
    public int MaxSegments { get; set; } = 6;
    public List<string> OptOutKeywords { get; set; } = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"];
    public List<string> OptInKeywords { get; set; } = ["START", "YES", "UNSTOP"];
    public List<string> HelpKeywords { get; set; } = ["HELP", "INFO"];
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool HasApi => !string.IsNullOrWhiteSpace(AccountSid) && !string.IsNullOrWhiteSpace(AuthToken);

    public void Validate()
    {
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out _)) throw new InvalidOperationException("Sms:ApiBaseUrl must be an absolute URL.");
        if (MaxSegments is < 1 or > 20) throw new InvalidOperationException("Sms:MaxSegments must be 1 to 20.");
        if (MaxBodyBytes is < 1024 or > 1024 * 1024) throw new InvalidOperationException("Sms:MaxBodyBytes must be 1 KB to 1 MB.");
        if (WebhookUrl is { Length: > 0 } && !Uri.TryCreate(WebhookUrl, UriKind.Absolute, out _)) throw new InvalidOperationException("Sms:WebhookUrl must be an absolute URL.");
    }
}

namespace Switchboard.Channels.Rcs;

/// <summary>Section <c>Rcs</c> (Google RCS Business Messaging). No <see cref="ClientToken"/>: the webhook answers 503; no <see cref="AccessToken"/>: outbound stays local.</summary>
public sealed class RcsOptions
{
    public const string Section = "Rcs";

    /// <summary>The webhook client token: verifies <c>X-Goog-Signature</c> and answers the setup handshake.</summary>
    public string? ClientToken { get; set; }
    /// <summary>An OAuth bearer token for the RBM API (obtaining it from a service account is outside this service).</summary>
    public string? AccessToken { get; set; }
    public string? AgentId { get; set; }
    public string ApiBaseUrl { get; set; } = "https://rcsbusinessmessaging.googleapis.com";
    public int MaxBodyBytes { get; set; } = 256 * 1024;
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool HasApi => !string.IsNullOrWhiteSpace(AccessToken) && !string.IsNullOrWhiteSpace(AgentId);

    public void Validate()
    {
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out _)) throw new InvalidOperationException("Rcs:ApiBaseUrl must be an absolute URL.");
        if (MaxBodyBytes is < 1024 or > 16 * 1024 * 1024) throw new InvalidOperationException("Rcs:MaxBodyBytes must be 1 KB to 16 MB.");
    }
}

namespace Switchboard.Grains.Tenancy;

/// <summary>One brand served by the deployment: its bot, its endpoints, its policy. Section <c>Tenants:{id}</c>.</summary>
public sealed class TenantOptions
{
    public string Id { get; set; } = "";
    public string DisplayName { get; set; } = "";
    /// <summary>The bot definition folder (under <c>bots/</c>) this tenant runs.</summary>
    public string Bot { get; set; } = "";
    public bool Default { get; set; }
    /// <summary>Region for phone numbers written without a country code (ISO 3166 alpha-2).</summary>
    public string DefaultRegion { get; set; } = "IN";
    public List<string> WhatsAppPhoneNumberIds { get; set; } = [];
    public List<string> SipNumbers { get; set; } = [];
    public List<string> WebChatSiteKeys { get; set; } = [];
    public List<string> SmsNumbers { get; set; } = [];
    public List<string> RcsAgentIds { get; set; } = [];
    /// <summary>The number customers are offered to call (WhatsApp call button, SMS footers).</summary>
    public string? VoiceNumber { get; set; }
    public ConsentPolicy Consent { get; set; } = new();
}

/// <summary>What a tenant assumes when the registry has no decision yet.</summary>
public sealed class ConsentPolicy
{
    /// <summary>Service messages to a customer who wrote to us first are allowed without an explicit opt-in.</summary>
    public bool TransactionalImpliedByInbound { get; set; } = true;
    /// <summary>Marketing always needs an explicit grant.</summary>
    public bool MarketingRequiresOptIn { get; set; } = true;
    /// <summary>Recording always needs an explicit grant (two-party consent jurisdictions).</summary>
    public bool RecordingRequiresOptIn { get; set; } = true;
}

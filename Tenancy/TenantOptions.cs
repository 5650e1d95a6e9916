using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Tenancy;

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
    /// <summary>Where requests for this tenant arrive, on any channel: <c>Tenants:{id}:Endpoints:{n}:{Channel,Value}</c>.</summary>
    public List<TenantEndpoint> Endpoints { get; set; } = [];
    /// <summary>The number customers are offered to call (WhatsApp call button, SMS footers).</summary>
    public string? VoiceNumber { get; set; }
    public ConsentPolicy Consent { get; set; } = new();

    /// <summary>This tenant's endpoints on one channel, in the order configured.</summary>
    public IEnumerable<string> EndpointsOn(Channel channel) => Endpoints.Where(e => e.Channel == channel).Select(e => e.Value);
}

/// <summary>
/// One endpoint a tenant receives on: a WhatsApp phone-number id, a SIP number (voice), a web chat site key, an SMS
/// number, an RCS agent id.
/// </summary>
public sealed class TenantEndpoint
{
    public Channel Channel { get; set; }
    public string Value { get; set; } = "";

    public TenantEndpoint() { }

    public TenantEndpoint(Channel channel, string value) => (Channel, Value) = (channel, value);
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

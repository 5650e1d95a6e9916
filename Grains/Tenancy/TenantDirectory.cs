namespace Switchboard.Grains.Tenancy;

public enum TenantEndpoint
{
    WhatsAppPhoneNumberId,
    SipNumber,
    WebChatSiteKey,
    SmsNumber,
    RcsAgentId,
}

/// <summary>Routes a request to a tenant by the endpoint it arrived on; anything unmatched goes to the default tenant.</summary>
public sealed class TenantDirectory
{
    private readonly Dictionary<string, TenantOptions> _byId;
    private readonly Dictionary<(TenantEndpoint, string), TenantOptions> _byEndpoint = [];

    public TenantDirectory(IEnumerable<TenantOptions> tenants)
    {
        var list = tenants.ToList();
        if (list.Count == 0) throw new InvalidOperationException("No tenant is configured (section Tenants).");
        var dupes = list.GroupBy(t => t.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (dupes.Count > 0) throw new InvalidOperationException($"Tenant ids must be unique: {string.Join(", ", dupes)}.");
        foreach (var t in list)
            if (string.IsNullOrWhiteSpace(t.Id) || !t.Id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                throw new InvalidOperationException($"Tenant id '{t.Id}' must be letters, digits and dashes.");
        var defaults = list.Where(t => t.Default).ToList();
        if (defaults.Count > 1) throw new InvalidOperationException("Only one tenant may be the default.");
        Default = defaults.SingleOrDefault() ?? list[0];
        _byId = list.ToDictionary(t => t.Id, StringComparer.Ordinal);
        foreach (var t in list)
        {
            Add(TenantEndpoint.WhatsAppPhoneNumberId, t.WhatsAppPhoneNumberIds, t);
            Add(TenantEndpoint.SipNumber, t.SipNumbers, t);
            Add(TenantEndpoint.WebChatSiteKey, t.WebChatSiteKeys, t);
            Add(TenantEndpoint.SmsNumber, t.SmsNumbers, t);
            Add(TenantEndpoint.RcsAgentId, t.RcsAgentIds, t);
        }
    }

    public TenantOptions Default { get; }

    public IReadOnlyCollection<TenantOptions> All => _byId.Values;

    public TenantOptions? Find(string? id) => id is not null && _byId.TryGetValue(id, out var t) ? t : null;

    /// <summary>The tenant named, or the default when none is named; null when a name is given that no tenant has.</summary>
    public TenantOptions? FindOrDefault(string? id) => string.IsNullOrEmpty(id) ? Default : Find(id);

    public TenantOptions ForEndpoint(TenantEndpoint kind, string? value) =>
        value is not null && _byEndpoint.TryGetValue((kind, Canon(value)), out var t) ? t : Default;

    private void Add(TenantEndpoint kind, IEnumerable<string> values, TenantOptions t)
    {
        foreach (var v in values)
            if (!_byEndpoint.TryAdd((kind, Canon(v)), t))
                throw new InvalidOperationException($"{kind} '{v}' is claimed by two tenants.");
    }

    private static string Canon(string v) => v.Trim().TrimStart('+').ToLowerInvariant();
}

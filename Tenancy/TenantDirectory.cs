using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Tenancy;

/// <summary>Routes a request to a tenant by the endpoint it arrived on; anything unmatched goes to the default tenant.</summary>
public sealed class TenantDirectory
{
    private readonly Dictionary<string, TenantOptions> _byId;
    private readonly Dictionary<(Channel, string), TenantOptions> _byEndpoint = [];

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
            foreach (var e in t.Endpoints)
            {
                if (string.IsNullOrWhiteSpace(e.Value)) throw new InvalidOperationException($"Tenant '{t.Id}' has a {e.Channel.ToWire()} endpoint with no value.");
                // Listed twice by one tenant (a key of each form, say) is harmless; claimed by two is a routing conflict.
                if (!_byEndpoint.TryAdd((e.Channel, Canon(e.Value)), t) && _byEndpoint[(e.Channel, Canon(e.Value))] != t)
                    throw new InvalidOperationException($"{e.Channel.ToWire()} endpoint '{e.Value}' is claimed by two tenants.");
            }
    }

    public TenantOptions Default { get; }

    public IReadOnlyCollection<TenantOptions> All => _byId.Values;

    public TenantOptions? Find(string? id) => id is not null && _byId.TryGetValue(id, out var t) ? t : null;

    /// <summary>The tenant named, or the default when none is named; null when a name is given that no tenant has.</summary>
    public TenantOptions? FindOrDefault(string? id) => string.IsNullOrEmpty(id) ? Default : Find(id);

    /// <summary>The tenant that owns the endpoint a request arrived on (a WhatsApp phone-number id, a SIP number, a site key...).</summary>
    public TenantOptions ForEndpoint(Channel channel, string? value) =>
        value is not null && _byEndpoint.TryGetValue((channel, Canon(value)), out var t) ? t : Default;

    private static string Canon(string v) => v.Trim().TrimStart('+').ToLowerInvariant();
}

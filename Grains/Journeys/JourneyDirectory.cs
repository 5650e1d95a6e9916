using System.Collections.Concurrent;
using Switchboard.Journeys.Loading;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;
using Switchboard.Tenancy;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// Every tenant's journeys and rules, loaded from <c>bots/&lt;bot&gt;/journeys/</c> when the host starts (a bad file stops
/// the start with file:line: reason), and a cache of parsed definitions so enrolments parse a journey's YAML once.
/// </summary>
public sealed class JourneyDirectory
{
    private readonly Dictionary<string, JourneyCatalog> _catalogs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _sources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JourneyDefinition> _parsed = new(StringComparer.Ordinal);

    public JourneyDirectory(TenantDirectory tenants, string botsPath)
    {
        foreach (var tenant in tenants.All)
        {
            var folder = Path.Combine(botsPath, tenant.Bot, "journeys");
            var catalog = JourneyCatalog.LoadDirectory(folder);
            _catalogs[tenant.Id] = catalog;
            _sources[tenant.Id] = catalog.Journeys.ToDictionary(j => j.Key, j => File.ReadAllText(j.Value.SourceFile), StringComparer.Ordinal);
        }
    }

    public TenantJourneyRules RulesOf(string tenant) => _catalogs.TryGetValue(tenant, out var c) ? c.Rules : TenantJourneyRules.Default;

    public IEnumerable<string> ShippedJourneys(string tenant) => _sources.TryGetValue(tenant, out var s) ? s.Keys : [];

    public string? ShippedYaml(string tenant, string journey) =>
        _sources.TryGetValue(tenant, out var s) && s.TryGetValue(journey, out var yaml) ? yaml : null;

    /// <summary>A definition from its YAML, parsed once per distinct text.</summary>
    public JourneyDefinition Parse(string yaml, string source) =>
        _parsed.GetOrAdd(yaml, y => JourneyLoader.Parse(new StringReader(y), source));
}

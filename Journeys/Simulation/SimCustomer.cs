using Switchboard.Journeys.Engine;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Journeys.Simulation;

/// <summary>A synthetic customer: consent per channel and purpose, zones, RCS capability, and what happened to them (events, touches across journeys).</summary>
public sealed class SimCustomer(string id, CustomerZones zones, bool rcsCapable) : ICustomerFacts
{
    private readonly Dictionary<(JourneyChannel, string), bool> _consent = [];

    public string Id { get; } = id;
    public CustomerZones Zones { get; } = zones;
    public bool? RcsCapable { get; } = rcsCapable;
    public DateTimeOffset? LastInboundAt { get; set; }
    public List<CustomerEvent> EventList { get; } = [];
    public List<Touch> TouchList { get; } = [];
    public Dictionary<string, string> Context { get; } = [];
    public List<int> Enrolments { get; } = [];

    public IReadOnlyList<CustomerEvent> Events => EventList;
    public IReadOnlyList<Touch> Touches => TouchList;

    public void SetConsent(JourneyChannel channel, string purpose, bool granted) => _consent[(channel, purpose)] = granted;

    public bool IsGranted(JourneyChannel channel, string purpose) => _consent.TryGetValue((channel, purpose), out var g) && g;

    public ConsentAnswer CanContact(JourneyChannel channel, string purpose) =>
        _consent.TryGetValue((channel, purpose), out var granted)
            ? new(granted, granted ? $"{purpose} on {channel.ToWire()} granted" : $"{purpose} on {channel.ToWire()} revoked")
            : new(false, $"no {purpose} consent on {channel.ToWire()}");

    public string? Attribute(string name) => Context.TryGetValue(name, out var v) ? v : null;
}

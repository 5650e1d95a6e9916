using System.Diagnostics.Metrics;
using Switchboard.Analytics.Events;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// The analytics counters as OpenTelemetry metrics (meter <c>Switchboard.Analytics</c>, scraped at <c>/metrics</c>):
/// events by tenant, channel and kind; channel switches by from/to and zero repeat; handoffs. Labels are tenant ids,
/// channel and kind names only (never customer ids, which would grow without bound, and never anything typed).
/// Rates such as containment are PromQL over these (docs/analytics.md).
/// </summary>
public sealed class InteractionMeters : IDisposable
{
    public const string MeterName = "Switchboard.Analytics";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _events;
    private readonly Counter<long> _switches;

    public InteractionMeters()
    {
        _events = _meter.CreateCounter<long>("switchboard.interaction.events", "{event}", "Interaction events stored, by tenant, channel and kind.");
        _switches = _meter.CreateCounter<long>("switchboard.channel.switches", "{switch}", "Channel switches, by tenant, from, to and whether nothing was asked again.");
    }

    public void Record(IReadOnlyList<InteractionEvent> events)
    {
        foreach (var e in events)
        {
            _events.Add(1, new("tenant", e.Tenant), new("channel", e.Channel.ToWire()), new("kind", e.Kind.ToWire()));
            if (e.Kind == InteractionKind.ChannelSwitch && e.FromChannel is { } from)
                _switches.Add(1, new("tenant", e.Tenant), new("from", from.ToWire()), new("to", e.Channel.ToWire()),
                    new("zero_repeat", e.ZeroRepeat == true ? "true" : "false"));
        }
    }

    public void Dispose() => _meter.Dispose();
}

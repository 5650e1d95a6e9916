using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Journeys.Engine;

/// <summary>
/// What the enrolment learns from the customer grain (and the outbox) at a step boundary: consent per channel and
/// purpose, the last inbound time, RCS capability, time zones, events (replies, intents, delivery, calls, goal) and
/// the touches across all journeys the caps count. Pulled fresh at every step, so a revocation moves the very next send.
/// </summary>
public interface ICustomerFacts
{
    ConsentAnswer CanContact(JourneyChannel channel, string purpose);

    DateTimeOffset? LastInboundAt { get; }

    /// <summary>False when the handset is known to lack RCS; null when unknown (tried, the gateway falls back).</summary>
    bool? RcsCapable { get; }

    CustomerZones Zones { get; }

    IReadOnlyList<CustomerEvent> Events { get; }

    IReadOnlyList<Touch> Touches { get; }

    /// <summary>Context the customer grain holds (slots such as a booking made); enrolment attributes come on the state.</summary>
    string? Attribute(string name);
}

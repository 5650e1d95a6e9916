using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Journeys.Engine;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// What the enrolment pulled from the customer grain and the contact ledger at one step boundary: consent answers per
/// channel (the registry's own <c>CanContact</c>), inbound turns as replies and intents, slots and finished flows as
/// attributes (<c>flow.&lt;intent&gt;</c> = resolution), and the touches the caps count.
/// </summary>
internal sealed class GrainCustomerFacts : ICustomerFacts
{
    private readonly Dictionary<JourneyChannel, ConsentAnswer> _consent;
    private readonly Dictionary<string, string> _attributes = new(StringComparer.Ordinal);
    private readonly List<CustomerEvent> _events = [];

    private readonly List<Touch> _touches;

    private GrainCustomerFacts(Dictionary<JourneyChannel, ConsentAnswer> consent, CustomerZones zones, List<Touch> touches)
    {
        _consent = consent;
        Zones = zones;
        _touches = touches;
    }

    /// <summary>A touch reserved in the ledger during this wake-up: the next step's caps count it without asking again.</summary>
    public void Add(ContactTouch touch) =>
        _touches.Add(new Touch(touch.At, JourneyChannels.TryParse(touch.Channel, out var c) ? c : JourneyChannel.Sms, touch.Purpose, touch.Journey));

    /// <summary>The channels asked in one <see cref="ICustomerGrain.ContactFacts"/> call, in <see cref="JourneyChannels.All"/>'s order.</summary>
    private static readonly Channel[] Asked = [.. JourneyChannels.All.Select(ChannelOf)];

    /// <summary>
    /// Two calls, in parallel: the customer's <see cref="ICustomerGrain.ContactFacts"/> (consent per channel, turns, intents,
    /// slots, the number) and the ledger's touches. It was six (a view, four consent answers, the touches).
    /// </summary>
    public static async Task<GrainCustomerFacts> PullAsync(ICustomerGrain customer, IContactLedgerGrain ledger, string purpose, CustomerZones zones)
    {
        var wire = purpose == "transactional" ? ConsentPurpose.Transactional : ConsentPurpose.Marketing;
        var contact = customer.ContactFacts(Asked, wire);
        var touches = ledger.Touches();
        await Task.WhenAll(contact, touches);
        var c = contact.Result;
        var consent = new Dictionary<JourneyChannel, ConsentAnswer>(JourneyChannels.All.Count);
        for (var i = 0; i < JourneyChannels.All.Count; i++)
            consent[JourneyChannels.All[i]] = new ConsentAnswer(c.Consent[i].Allowed, c.Consent[i].Reason);
        var facts = new GrainCustomerFacts(
            consent,
            zones,
            touches.Result.Select(t => new Touch(t.At, JourneyChannels.TryParse(t.Channel, out var ch) ? ch : JourneyChannel.Sms, t.Purpose, t.Journey)).ToList());
        // The registry's answer carries when the customer last wrote on that channel: a reply, and WhatsApp's window. Its mark
        // is the count of inbound turns on the channel, the customer grain's own order: a wait that began after the n-th
        // turn counts the (n+1)-th as a reply even when the provider stamped both in the same second.
        for (var i = 0; i < JourneyChannels.All.Count; i++)
            if (c.Consent[i].CustomerWroteAt is { } wrote)
            {
                var channel = JourneyChannels.All[i];
                var turns = c.TurnsByChannel.GetValueOrDefault(Asked[i]);
                facts._events.Add(new CustomerEvent(CustomerEventKind.Replied, wrote, channel, Mark: $"replied:{channel.ToWire()}:{turns}"));
                if (facts.LastInboundAt is null || wrote > facts.LastInboundAt) facts.LastInboundAt = wrote;
            }
        for (var i = 0; i < c.Intents.Count; i++)
        {
            var record = c.Intents[i];
            var channel = JourneyOf(record.Channel);
            var mark = $"intent:{record.At.UtcTicks}:{record.Intent}:{record.Resolution}";
            facts._events.Add(new CustomerEvent(CustomerEventKind.Intent, record.At, channel, record.Intent, mark));
            // A flow that ended on a call (booked, cancelled or abandoned): the call did what it was placed for.
            if (channel == JourneyChannel.Voice) facts._events.Add(new CustomerEvent(CustomerEventKind.CallCompleted, record.At, channel, record.Intent, "call:" + mark));
            facts._attributes[$"flow.{record.Intent}"] = record.Resolution;
        }
        foreach (var (name, value) in c.Slots) facts._attributes[name] = value;
        facts.Phone = c.Phone;
        return facts;
    }

    public DateTimeOffset? LastInboundAt { get; private set; }

    /// <summary>The number a send goes to (used for the outbox entry only; the enrolment never stores it).</summary>
    public string? Phone { get; private set; }

    public bool? RcsCapable => null;

    public CustomerZones Zones { get; }

    public IReadOnlyList<CustomerEvent> Events => _events;

    public IReadOnlyList<Touch> Touches => _touches;

    public ConsentAnswer CanContact(JourneyChannel channel, string purpose) =>
        _consent.TryGetValue(channel, out var a) ? a : new ConsentAnswer(false, "no answer from the consent registry");

    public string? Attribute(string name) => _attributes.TryGetValue(name, out var v) ? v : null;

    public static Channel ChannelOf(JourneyChannel c) => c switch
    {
        JourneyChannel.WhatsApp => Channel.WhatsApp,
        JourneyChannel.Rcs => Channel.Rcs,
        JourneyChannel.Sms => Channel.Sms,
        _ => Channel.Voice,
    };

    private static JourneyChannel? JourneyOf(Channel c) => c switch
    {
        Channel.WhatsApp => JourneyChannel.WhatsApp,
        Channel.Rcs => JourneyChannel.Rcs,
        Channel.Sms => JourneyChannel.Sms,
        Channel.Voice => JourneyChannel.Voice,
        _ => null,
    };
}

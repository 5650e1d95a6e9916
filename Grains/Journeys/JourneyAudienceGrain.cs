using Orleans.Concurrency;
using PhoneNumbers;
using Switchboard.Addressing;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Journeys.Rules;
using Switchboard.Tenancy;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// Resolves an audience row to its customer (creating the customer a number nobody has written from yet would reach) and
/// enrols them. Stateless and reentrant: an upload sends batches to several keys, and the rows of a batch run concurrently.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class JourneyAudienceGrain(TenantDirectory tenants, JourneyDirectory directory) : Grain, IJourneyAudienceGrain
{
    public async Task<IReadOnlyList<AdmitResult>> AdmitMany(IReadOnlyList<AudienceMember> members)
    {
        // The rows of a batch are admitted concurrently: their storage writes share the store's group commits.
        var results = new Task<AdmitResult>[members.Count];
        for (var i = 0; i < members.Count; i++) results[i] = Admit(members[i]);
        return await Task.WhenAll(results);
    }

    public async Task<AdmitResult> Admit(AudienceMember m)
    {
        if (tenants.FindOrDefault(m.Tenant) is not { } tenant) return new(null, null, "unknown tenant");
        var rules = directory.RulesOf(tenant.Id);
        string? customerId = m.CustomerId;
        string? e164 = null;
        if (customerId is null)
        {
            if (string.IsNullOrWhiteSpace(m.Phone)) return new(null, null, "no phone and no customerId");
            ChannelAddress normalized;
            try { normalized = AddressNormalizer.Normalize(AddressKind.Phone, m.Phone, tenant.DefaultRegion); }
            catch (InvalidAddressException) { return new(null, null, "not a valid phone number"); }
            e164 = normalized.Value;
            // A list names customers who may never have written: the row creates the customer their first message would reach.
            // Spread over the ingress keys as inbound messages are: one key's workers would take the rows a few at a time.
            customerId = await ConversationIngress.For(GrainFactory, normalized.Value).Register(tenant.Id, normalized);
        }
        else
        {
            // A customer id must name a customer; a number just registered does.
            var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant.Id, customerId));
            if (!await customer.Exists()) return new(null, null, "unknown customer");
            e164 = (await customer.GetView()).Addresses.LastOrDefault(a => a.Kind == AddressKind.Phone)?.Value;
        }
        var zones = CustomerZones.Resolve(m.TimeZone, e164, rules.DefaultTimeZone);
        var region = e164 is null ? null : Region(e164);
        var outcome = await GrainFactory.GetGrain<IJourneyEnrolmentGrain>(JourneyKeys.Enrolment(tenant.Id, m.Journey, customerId))
            .Enrol(new EnrolmentRequest(m.Run, m.Attributes, zones.Ids.ToList(), region));
        return new(outcome, customerId);
    }

    private static string? Region(string e164)
    {
        try
        {
            var util = PhoneNumberUtil.GetInstance();
            return util.GetRegionCodeForNumber(util.Parse(e164, null));
        }
        catch (NumberParseException) { return null; }
    }
}

/// <summary>A tenant's API-defined journey ids.</summary>
public sealed class JourneyIndexGrain([PersistentState("journeys", StorageNames.Main)] IPersistentState<JourneyIndexState> state) : Grain, IJourneyIndexGrain
{
    public async Task Add(string journey)
    {
        if (state.State.Journeys.Contains(journey)) return;
        state.State.Journeys.Add(journey);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(state.State.Journeys);
}

[GenerateSerializer, Alias("journey-index-state")]
public sealed class JourneyIndexState
{
    [Id(0)] public List<string> Journeys { get; set; } = [];
}

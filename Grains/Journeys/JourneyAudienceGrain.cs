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

/// <summary>Resolves an audience row to its customer (creating the customer a number nobody has written from yet would reach) and enrols them.</summary>
[StatelessWorker]
public sealed class JourneyAudienceGrain(TenantDirectory tenants, JourneyDirectory directory) : Grain, IJourneyAudienceGrain
{
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
            customerId = await GrainFactory.GetGrain<IConversationIngressGrain>(0).Register(tenant.Id, normalized);
        }
        var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant.Id, customerId));
        if (!await customer.Exists()) return new(null, null, "unknown customer");
        if (e164 is null)
            e164 = (await customer.GetView()).Addresses.LastOrDefault(a => a.Kind == AddressKind.Phone)?.Value;
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

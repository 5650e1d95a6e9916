using Orleans.Concurrency;
using PhoneNumbers;
using Switchboard.Addressing;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Identity;
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
public sealed class JourneyAudienceGrain(TenantDirectory tenants, JourneyDirectory directory, AddressPseudonyms pseudonyms) : Grain, IJourneyAudienceGrain
{
    /// <summary>
    /// Admits a batch of upload rows through the journey's admission shards (<see cref="IJourneyAdmissionGrain"/>): each
    /// number is normalised and keyed by its pseudonym here, without an identity or customer call; the rows of one
    /// shard go in one call and one journal record. A row by customer id still asks its customer whether it exists.
    /// </summary>
    public async Task<IReadOnlyList<AdmitResult>> AdmitRows(IReadOnlyList<AudienceMember> members)
    {
        var results = new AdmitResult[members.Count];
        var rows = new AdmissionRow?[members.Count];
        var checks = new List<Task>();
        for (var i = 0; i < members.Count; i++)
        {
            var (row, error, check) = Prepare(members[i]);
            rows[i] = row;
            if (error is not null) results[i] = new(null, null, error);
            if (check is not null)
            {
                var at = i;
                checks.Add(Checked(check, at));
            }
        }
        await Task.WhenAll(checks);
        async Task Checked(Task<(AdmissionRow? Row, string? Error)> check, int at)
        {
            var (row, error) = await check;
            rows[at] = row;
            if (error is not null) results[at] = new(null, null, error);
        }

        var calls = new List<Task>();
        foreach (var group in Enumerable.Range(0, members.Count).Where(i => rows[i] is not null)
                     .GroupBy(i => (members[i].Tenant, members[i].Journey, members[i].Run, Shard: JourneyAdmission.ShardOf(rows[i]!.Key))))
        {
            var at = group.ToArray();
            calls.Add(AdmitShard(group.Key.Tenant, group.Key.Journey, group.Key.Run, group.Key.Shard, at));
        }
        await Task.WhenAll(calls);
        return results;

        async Task AdmitShard(string tenant, string journey, string run, int shard, int[] at)
        {
            var outcomes = await GrainFactory.GetGrain<IJourneyAdmissionGrain>(JourneyAdmission.Key(tenant, journey, shard))
                .Admit(run, [.. at.Select(i => rows[i]!)]);
            for (var k = 0; k < at.Length; k++) results[at[k]] = new(outcomes[k], rows[at[k]]!.CustomerId);
        }
    }

    /// <summary>A row ready to admit, or why it is bad, or (a row by customer id) the check of that customer still to make.</summary>
    private (AdmissionRow? Row, string? Error, Task<(AdmissionRow?, string?)>? Check) Prepare(AudienceMember m)
    {
        if (tenants.FindOrDefault(m.Tenant) is not { } tenant) return (null, "unknown tenant", null);
        var rules = directory.RulesOf(tenant.Id);
        if (m.CustomerId is { } customerId) return (null, null, ByCustomerId(tenant.Id, customerId));
        if (string.IsNullOrWhiteSpace(m.Phone)) return (null, "no phone and no customerId", null);
        ChannelAddress normalized;
        try { normalized = AddressNormalizer.Normalize(AddressKind.Phone, m.Phone, tenant.DefaultRegion); }
        catch (InvalidAddressException) { return (null, "not a valid phone number", null); }
        var zones = CustomerZones.Resolve(m.TimeZone, normalized.Value, rules.DefaultTimeZone);
        // The number's pseudonym keys the row (the same number twice is one customer); the number itself is sealed by the shard.
        return (new AdmissionRow("a:" + pseudonyms.IdentityKey(tenant.Id, normalized), null, normalized.Value, m.Attributes,
            [.. zones.Ids], Region(normalized.Value)), null, null);

        async Task<(AdmissionRow?, string?)> ByCustomerId(string tenantId, string id)
        {
            var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenantId, id));
            if (!await customer.Exists()) return (null, "unknown customer");
            var e164 = (await customer.GetView()).Addresses.LastOrDefault(a => a.Kind == AddressKind.Phone)?.Value;
            var zones = CustomerZones.Resolve(m.TimeZone, e164, rules.DefaultTimeZone);
            // A customer whose number is theirs (bound to them, not released to someone else) is keyed as a row by that
            // number is, so the same customer listed by number and by id in one run is admitted, and counted, once.
            var key = "c:" + id;
            if (e164 is not null)
            {
                var number = new ChannelAddress(AddressKind.Phone, e164);
                if (await pseudonyms.FindAsync(GrainFactory, tenantId, number) == id) key = "a:" + pseudonyms.IdentityKey(tenantId, number);
            }
            return (new AdmissionRow(key, id, null, m.Attributes, [.. zones.Ids], e164 is null ? null : Region(e164)), null);
        }
    }

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

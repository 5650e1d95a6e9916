using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Journaling;

namespace Switchboard.Grains.Customers;

/// <summary>Lists the customers whose journal says a reply is pending; the journal is the silo's, so the answer is read where it lives.</summary>
[StatelessWorker]
public sealed class PendingRepliesGrain(IServiceProvider services) : Grain, IPendingRepliesGrain
{
    public async Task<IReadOnlyList<string>> Customers()
    {
        // A host without a journal (grain storage only) keeps no pending replies.
        if (services.GetService<IJournalStore>() is not { } journal) return [];
        var customers = new List<string>();
        foreach (var stream in await journal.PendingStreamsAsync())
            if (stream.Split('/') is ["customer", var tenant, var customerId])
                customers.Add(GrainKeys.Customer(tenant, customerId));
        return customers;
    }
}

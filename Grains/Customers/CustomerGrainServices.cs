using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Journaling;
using Switchboard.Grains.Pii;
using Switchboard.Tenancy;

namespace Switchboard.Grains.Customers;

/// <summary>
/// What every customer grain is given by the silo, in one shared object (a singleton): each activation keeps one
/// reference to it instead of a field per service (eleven references, 88 bytes per customer; docs/performance.md,
/// mem11). The idle-release setting is read once here, not parsed again at every activation.
/// </summary>
public sealed class CustomerGrainServices(
    IJournalStore journalStore,
    Serializer serializer,
    CustomerKeys customerKeys,
    TenantDirectory tenants,
    IConversationEngineProvider engines,
    SessionTokens sessionTokens,
    AddressPseudonyms pseudonyms,
    TimeProvider time,
    ILogger<CustomerGrain> logger,
    IInteractionEvents analytics,
    IConfiguration configuration)
{
    public IJournalStore JournalStore { get; } = journalStore;
    public Serializer Serializer { get; } = serializer;
    public CustomerKeys CustomerKeys { get; } = customerKeys;
    public TenantDirectory Tenants { get; } = tenants;
    public IConversationEngineProvider Engines { get; } = engines;
    public SessionTokens SessionTokens { get; } = sessionTokens;
    public AddressPseudonyms Pseudonyms { get; } = pseudonyms;
    public TimeProvider Time { get; } = time;
    public ILogger<CustomerGrain> Logger { get; } = logger;
    public IInteractionEvents Analytics { get; } = analytics;

    /// <summary>How long an idle customer keeps its history and derived keys (<see cref="CustomerGrain.IdleReleaseSetting"/>).</summary>
    public TimeSpan IdleRelease { get; } = configuration[CustomerGrain.IdleReleaseSetting] is { Length: > 0 } idle
        ? TimeSpan.Parse(idle, global::System.Globalization.CultureInfo.InvariantCulture)
        : CustomerGrain.DefaultIdleRelease;
}

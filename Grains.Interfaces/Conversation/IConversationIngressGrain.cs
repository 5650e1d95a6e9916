using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// The one door channels use: resolves the sender's address to a customer (creating one the first time),
/// links the address, and hands the turn to that customer's grain. Stateless: any silo serves it.
/// </summary>
[Alias("conversation-ingress")]
public interface IConversationIngressGrain : IGrainWithIntegerKey
{
    [Alias("receive")]
    Task<TurnResult> Receive(InboundTurn turn);

    /// <summary>The customer an address belongs to, or null. The address is normalised first.</summary>
    [Alias("resolve")]
    Task<string?> Resolve(string tenant, ChannelAddress address);

    /// <summary>Binds <paramref name="address"/> to the customer a valid session token names; returns that customer, or null for a bad or expired token.</summary>
    [Alias("join-with-token")]
    Task<string?> JoinWithSessionToken(string tenant, string sessionToken, ChannelAddress address);
}

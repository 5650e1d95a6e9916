using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// The one door channels use: resolves the sender's address to a customer (creating one the first time),
/// links the address, and hands the turn to that customer's grain. Stateless: any silo serves it.
/// </summary>
[Alias("conversation-ingress")]
public interface IConversationIngressGrain : IGrainWithIntegerKey
{
    /// <remarks>
    /// Five seconds, not the cluster's response timeout (<c>Orleans:Messaging:ResponseTimeout</c>): a turn takes
    /// milliseconds, and a call held by a silo that died or hangs should fail soon enough for the sender to be answered
    /// again within the membership timeout. Sending the turn again is safe: its message id makes it exactly-once.
    /// </remarks>
    [Alias("receive")]
    [ResponseTimeout("00:00:05")]
    Task<TurnResult> Receive(InboundTurn turn);

    /// <summary>The customer an address belongs to, or null. The address is normalised first.</summary>
    [Alias("resolve")]
    Task<string?> Resolve(string tenant, ChannelAddress address);

    /// <summary>
    /// The customer an address belongs to, created when there is none (an audience row, a CRM import): the same customer
    /// the address's first message would have reached. The address is normalised first.
    /// </summary>
    [Alias("register")]
    Task<string> Register(string tenant, ChannelAddress address);

    /// <summary>Binds <paramref name="address"/> to the customer a valid session token names; returns that customer, or null for a bad or expired token.</summary>
    [Alias("join-with-token")]
    Task<string?> JoinWithSessionToken(string tenant, string sessionToken, ChannelAddress address);

    /// <summary>Binds another address (a SIP Call-ID for the life of a call, a CRM id) to a known customer.</summary>
    [Alias("link-address")]
    Task LinkAddress(string tenant, string customerId, ChannelAddress address);

    /// <summary>
    /// A short numeric code (6 digits, single use, expiring) standing for the customer, for channels where a token cannot
    /// be typed: the WhatsApp "call us" button dials the voice number and the caller keys the code when the caller id is withheld.
    /// </summary>
    [Alias("issue-call-code")]
    Task<string> IssueCallCode(string tenant, string customerId, TimeSpan lifetime);

    /// <summary>Binds <paramref name="address"/> to the customer a valid, unused call code names; null otherwise. The code is spent.</summary>
    [Alias("join-with-call-code")]
    Task<string?> JoinWithCallCode(string tenant, string code, ChannelAddress address);
}

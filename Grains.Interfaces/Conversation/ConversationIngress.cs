using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// Picks the ingress grain a channel calls for one sender. The ingress is a stateless worker, so any key reaches the
/// same code; spreading senders over <see cref="Keys"/> keys matters because an Orleans client routes one grain id
/// through one silo, and with <c>prefer-local</c> placement a new customer's grains land where its ingress call ran.
/// The key is a stable hash of the sender's address (never the address itself, which is PII), so one sender keeps
/// reaching the same silo through a gateway, and different senders spread over all silos.
/// </summary>
public static class ConversationIngress
{
    /// <summary>Enough keys to spread evenly over a few dozen silos; few enough to keep the client's routing table small.</summary>
    public const int Keys = 64;

    public static IConversationIngressGrain For(IGrainFactory grains, string? routingKey)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IConversationIngressGrain>(KeyFor(routingKey));
    }

    /// <summary>The grain key for a sender: XxHash3 of the address's UTF-16 code units, modulo <see cref="Keys"/>. Stable across processes and restarts.</summary>
    public static long KeyFor(string? routingKey)
    {
        if (string.IsNullOrEmpty(routingKey)) return 0;
        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(routingKey.AsSpan()));
        return (long)(hash % Keys);
    }
}
